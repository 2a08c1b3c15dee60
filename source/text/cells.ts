// Text cut and padded to a number of terminal cells (columns). Widths count
// cells as the terminal (and Ink) draws them: an emoji or a CJK character takes
// two, a combining accent none, so columns line up and nothing is cut by Ink
// behind our back. A cut never splits a character.
import stringWidth from 'string-width';
import {sanitize} from './sanitize.js';

const printableAscii = /^[\x20-\x7e]*$/;
const graphemes = new Intl.Segmenter();

/** Cells `text` takes on screen (text already sanitized). */
export function cells(text: string): number {
	return printableAscii.test(text) ? text.length : stringWidth(text);
}

/** The longest start of `text` (whole characters) that takes at most `room` cells. */
function take(text: string, room: number): string {
	if (printableAscii.test(text)) return text.slice(0, room);
	let used = 0;
	let end = 0;
	for (const {segment} of graphemes.segment(text)) {
		used += stringWidth(segment);
		if (used > room) break;
		end += segment.length;
	}
	return text.slice(0, end);
}

/**
 * Sanitized and cut to at most `width` cells, with an ellipsis where it was
 * cut; never padded. A 1 MiB payload is sliced before it is sanitized, so a
 * frame never sanitizes more than it shows.
 */
export function cut(text: string, width: number): string {
	if (width <= 0) return '';
	// Four code units a cell is room for accents and emoji sequences; past it the text is cut anyway.
	const bound = width * 4 + 8;
	let raw = text;
	const sliced = text.length > bound;
	if (sliced) {
		raw = text.slice(0, bound);
		// Do not leave half of a surrogate pair at the end.
		if (/[\ud800-\udbff]$/.test(raw)) raw = raw.slice(0, -1);
	}
	const safe = sanitize(raw);
	if (!sliced && cells(safe) <= width) return safe;
	return `${take(safe, width - 1)}…`;
}

/** cut(), then spaces after it to exactly `width` cells: a left-aligned column. */
export function pad(text: string, width: number): string {
	const shown = cut(text, width);
	return shown + ' '.repeat(Math.max(0, width - cells(shown)));
}

/** cut(), then spaces before it to exactly `width` cells: a right-aligned column (numbers). */
export function padStart(text: string, width: number): string {
	const shown = cut(text, width);
	return ' '.repeat(Math.max(0, width - cells(shown))) + shown;
}

/**
 * A bar of `width` cells for value/max. Any value above zero shows at least one
 * filled cell, so a queue that is not empty never looks empty.
 */
export function bar(value: number, max: number, width: number): string {
	if (width <= 0) return '';
	const filled = max <= 0 || value <= 0 ? 0 : Math.min(width, Math.ceil((value / max) * width));
	return '█'.repeat(filled) + '·'.repeat(width - filled);
}
