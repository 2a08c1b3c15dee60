// Text cut and padded to a number of terminal cells (columns). Widths count
// cells as the terminal (and Ink) draws them: an emoji or a CJK character takes
// two, a combining accent none, so columns line up and nothing is cut by Ink
// behind our back. A cut never splits a character.
import stringWidth from 'string-width';
import {sanitize} from './sanitize.js';

/** Text in which every character takes one cell: ASCII and Latin letters (no soft hyphen). */
const narrow = /^[\x20-\x7e\xa0-\xac\xae-\u02ff]*$/;
/**
 * Characters that join with their neighbours into one cell or two (accents,
 * joiners, variation selectors, skin tones, flags, Hangul jamo): only text with
 * one of them is measured by grapheme clusters, which costs far more.
 */
const joining = /[\p{M}\p{Default_Ignorable_Code_Point}\p{Emoji_Modifier}\p{Regional_Indicator}\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff]/u;
const graphemes = new Intl.Segmenter();

// string-width is slow per call (it segments and runs several Unicode regexes),
// so each code point or cluster is asked once. Bounded: cleared when it grows large.
const codePoints = new Map<number, number>();
const clusters = new Map<string, number>();

function remember<K>(cache: Map<K, number>, key: K, width: number): number {
	if (cache.size >= 4096) cache.clear();
	cache.set(key, width);
	return width;
}

/** Cells one code point takes alone, or -1 when it joins its neighbours. */
function codePointCells(code: number): number {
	const width = codePoints.get(code);
	if (width !== undefined) return width;
	const character = String.fromCodePoint(code);
	return remember(codePoints, code, joining.test(character) ? -1 : stringWidth(character));
}

type Walk = {used: number; fits: boolean; cutAt: number};

/**
 * Walks `text` until it takes more than `width` cells: the cells used, whether
 * all of it fits, and where to cut it to leave one cell for an ellipsis.
 */
function walk(text: string, width: number): Walk {
	if (narrow.test(text)) return {used: text.length, fits: text.length <= width, cutAt: Math.min(text.length, width - 1)};
	let used = 0;
	let cutAt = 0;
	for (let i = 0; i < text.length; ) {
		const code = text.codePointAt(i) ?? 0;
		const cells = codePointCells(code);
		if (cells < 0) return walkClusters(text, width);
		used += cells;
		i += code > 0xffff ? 2 : 1;
		if (used > width) return {used, fits: false, cutAt};
		if (used <= width - 1) cutAt = i;
	}
	return {used, fits: true, cutAt};
}

/** walk() by grapheme clusters, for text with characters that join. */
function walkClusters(text: string, width: number): Walk {
	let used = 0;
	let cutAt = 0;
	let end = 0;
	for (const {segment} of graphemes.segment(text)) {
		used += clusters.get(segment) ?? remember(clusters, segment, stringWidth(segment));
		end += segment.length;
		if (used > width) return {used, fits: false, cutAt};
		if (used <= width - 1) cutAt = end;
	}
	return {used, fits: true, cutAt};
}

/** Cells `text` takes on screen (text already sanitized). */
export function cells(text: string): number {
	return walk(text, Number.POSITIVE_INFINITY).used;
}

/**
 * Sanitized and cut to at most `width` cells, with an ellipsis where it was
 * cut; never padded. A 1 MiB payload is sliced before it is sanitized, so a
 * frame never sanitizes more than it shows.
 */
export function cut(text: string, width: number): string {
	if (width <= 0) return '';
	// Two code units a cell leaves room for emoji and some accents; text sliced here is shown cut.
	const bound = width * 2 + 8;
	let raw = text;
	const sliced = text.length > bound;
	if (sliced) {
		raw = text.slice(0, bound);
		// Do not leave half of a surrogate pair at the end.
		if (/[\ud800-\udbff]$/.test(raw)) raw = raw.slice(0, -1);
	}
	const safe = sanitize(raw);
	const {fits, cutAt} = walk(safe, width);
	return !sliced && fits ? safe : `${safe.slice(0, cutAt)}…`;
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
 * Sanitized text in rows of at most `width` cells, broken between any two
 * characters (a log line wrapped as a terminal would; wrap() breaks between
 * words). Every character is kept and none is split; at least one row.
 */
export function hardWrap(text: string, width: number): string[] {
	const safe = sanitize(text);
	if (width <= 0) return [''];
	const out: string[] = [];
	if (narrow.test(safe)) {
		for (let i = 0; i < safe.length || i === 0; i += width) out.push(safe.slice(i, i + width));
		return out;
	}
	let row = '';
	let used = 0;
	const pieces = joining.test(safe) ? Array.from(graphemes.segment(safe), ({segment}) => segment) : Array.from(safe);
	for (const piece of pieces) {
		const cells = piece.length === 1 && narrow.test(piece) ? 1 : (clusters.get(piece) ?? remember(clusters, piece, stringWidth(piece)));
		// A character wider than the whole row still gets a row of its own.
		if (used + cells > width && row !== '') {
			out.push(row);
			row = '';
			used = 0;
		}
		row += piece;
		used += cells;
	}
	out.push(row);
	return out;
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
