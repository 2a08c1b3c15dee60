// The Labs view is built as lines of plain text with a style each: the line
// builders are pure (easy to test), the components only render them, and the
// height is exact (the screen never scrolls).
import {sanitize} from '../../text/sanitize.js';

export type Line = {text: string; color?: string; bold?: boolean; dim?: boolean; inverse?: boolean};

/** Network text made safe and cut to `width` with an ellipsis. */
export function fit(text: string, width: number): string {
	const clean = sanitize(text);
	if (width <= 0) return '';
	return clean.length <= width ? clean : `${clean.slice(0, Math.max(0, width - 1))}…`;
}

export function pad(text: string, width: number): string {
	const cut = fit(text, width);
	return cut + ' '.repeat(Math.max(0, width - cut.length));
}

export function padStart(text: string, width: number): string {
	const cut = fit(text, width);
	return ' '.repeat(Math.max(0, width - cut.length)) + cut;
}

/** Words wrapped to `width`; a word longer than the width is cut. */
export function wrap(text: string, width: number): string[] {
	const out: string[] = [];
	let line = '';
	for (const word of sanitize(text).split(/\s+/)) {
		if (word === '') continue;
		const next = line === '' ? word : `${line} ${word}`;
		if (next.length <= width) line = next;
		else {
			if (line !== '') out.push(line);
			line = word.length > width ? fit(word, width) : word;
		}
	}
	if (line !== '') out.push(line);
	return out;
}

export function ms(value: number): string {
	if (value < 1000) return `${Math.round(value)} ms`;
	if (value < 60_000) return `${(value / 1000).toFixed(1)} s`;
	return `${Math.floor(value / 60_000)}m${Math.round((value % 60_000) / 1000)}s`;
}

export function dollars(cents: number): string {
	return `$${(cents / 100).toFixed(2)}`;
}

/** A bar of `width` cells for value/max. */
export function bar(value: number, max: number, width: number): string {
	if (width <= 0) return '';
	const cells = max <= 0 ? 0 : Math.min(width, Math.round((value / max) * width));
	return '█'.repeat(cells) + '·'.repeat(width - cells);
}
