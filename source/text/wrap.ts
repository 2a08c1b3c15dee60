// Words onto lines of a width, for paragraphs and help labels.
import {cells, cut} from './cells.js';
import {sanitize} from './sanitize.js';

/**
 * Sanitized words onto lines of at most `width` cells. Any run of whitespace
 * (newlines too) is one break; a word wider than a line is cut with an
 * ellipsis. Always at least one line (empty for empty text), so a caller can
 * put a key or a bullet beside the first.
 */
export function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/)) {
		if (word === '' || width <= 0) continue;
		const safe = sanitize(word);
		const next = line === '' ? safe : `${line} ${safe}`;
		if (cells(next) <= width) line = next;
		else {
			if (line !== '') lines.push(line);
			line = cut(safe, width);
		}
	}
	if (line !== '' || lines.length === 0) lines.push(line);
	return lines;
}
