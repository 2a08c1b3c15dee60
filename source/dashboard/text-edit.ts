// Editing a one-line text field from Ink key presses: a pure function, so the
// form, the filter and the subscribe prompt share it and tests can call it.
import type {Key} from 'ink';

export type Field = {value: string; cursor: number};

export const field = (value = ''): Field => ({value, cursor: value.length});

/** The field after the key, or undefined when the key is not an edit. */
export function edit(state: Field, input: string, key: Key): Field | undefined {
	const {value, cursor} = state;
	if (key.leftArrow) return {value, cursor: Math.max(0, cursor - 1)};
	if (key.rightArrow) return {value, cursor: Math.min(value.length, cursor + 1)};
	if (key.home || (key.ctrl && input === 'a')) return {value, cursor: 0};
	if (key.end || (key.ctrl && input === 'e')) return {value, cursor: value.length};
	if (key.ctrl && input === 'u') return {value: value.slice(cursor), cursor: 0};
	if (key.backspace || key.delete) {
		if (cursor === 0) return state;
		return {value: value.slice(0, cursor - 1) + value.slice(cursor), cursor: cursor - 1};
	}
	if (key.ctrl || key.meta || key.escape || key.return || key.tab || key.upArrow || key.downArrow || key.pageUp || key.pageDown) return undefined;
	if (input === '') return undefined;
	// Typed or pasted text arrives as one input; line breaks and tabs in a paste become spaces in a one-line field.
	const text = input.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
	return {value: value.slice(0, cursor) + text + value.slice(cursor), cursor: cursor + text.length};
}
