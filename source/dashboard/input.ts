// What one read from the terminal holds, in keys. Ink 6.8 splits a read at
// escape sequences but hands a run of plain bytes to useInput as one input, so
// Tab Tab typed fast (or over a slow link) arrives as "\t\t" and matches no
// key. A terminal program must split such a run into its keys; a paste is the
// exception, and bracketed paste (ESC[?2004h) is how the terminal marks one:
// ESC[200~ … ESC[201~ around the pasted text, which is inserted as text and
// never runs a key (a newline in it does not submit, a tab does not move).
import type {Key} from 'ink';

/** Asks the terminal to mark pastes; terminals without it ignore the request. */
export const bracketedPasteOn = '\u001B[?2004h';
export const bracketedPasteOff = '\u001B[?2004l';
const pasteStart = '\u001B[200~';
const pasteEnd = '\u001B[201~';

/** One raw input event from Ink, classified. */
export type Read =
	/** A paste's start or end mark: nothing to handle. */
	| {kind: 'mark'}
	/** Pasted text (all or part of one paste). */
	| {kind: 'paste'; text: string}
	/** Several keys in one read (typed fast, or a paste the terminal did not mark), each as useInput would have given it alone. */
	| {kind: 'keys'; keys: {input: string; key: Key}[]}
	/** One key: useInput's own (input, key) is right. */
	| {kind: 'key'};

/** No key flags: how pasted text is handed on. */
export const noKey: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

/** A control byte alone, as Ink's useInput reports it (Tab, Enter, Backspace, Ctrl-letter). */
function controlKey(char: string): {input: string; key: Key} {
	const code = char.codePointAt(0) ?? 0;
	if (char === '\t') return {input: '', key: {...noKey, tab: true}};
	if (char === '\r') return {input: '', key: {...noKey, return: true}};
	// Ink names "\n" enter, which is not key.return (a terminal's Enter sends "\r").
	if (char === '\n') return {input: '', key: noKey};
	if (char === '\b') return {input: '', key: {...noKey, backspace: true}};
	if (char === '\u007F') return {input: '', key: {...noKey, delete: true}};
	if (code >= 1 && code <= 26) return {input: String.fromCodePoint(code + 96), key: {...noKey, ctrl: true}};
	return {input: '', key: {...noKey, ctrl: true}};
}

const control = /^[\u0000-\u001f\u007f]$/;

/** The keys in a run of plain bytes (no escape sequence: Ink cut those out already), one per character. */
export function splitKeys(raw: string): {input: string; key: Key}[] {
	return [...raw].map((char) => (control.test(char) ? controlKey(char) : {input: char, key: {...noKey, shift: /^[A-Z]$/.test(char)}}));
}

/** Reads Ink's raw input events in order, remembering whether a paste is open. */
export function createReader(): (raw: string) => Read {
	let pasting = false;
	return (raw) => {
		if (raw === pasteStart) {
			pasting = true;
			return {kind: 'mark'};
		}
		if (raw === pasteEnd) {
			pasting = false;
			return {kind: 'mark'};
		}
		if (pasting) return {kind: 'paste', text: raw};
		if (!raw.startsWith('\u001B') && [...raw].length > 1) return {kind: 'keys', keys: splitKeys(raw)};
		return {kind: 'key'};
	};
}
