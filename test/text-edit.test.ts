// The one-line field editor (dashboard/text-edit.ts) called directly, as Ink
// would call it: a key press in, the field after it (or undefined) out.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Key} from 'ink';
import {edit, field, type Field} from '../source/dashboard/text-edit.js';

const none: Key = {
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
const key = (pressed: Partial<Key> = {}): Key => ({...none, ...pressed});
const at = (value: string, cursor: number): Field => ({value, cursor});

test('field(): the cursor starts after the text', () => {
	assert.deepEqual(field(), at('', 0));
	assert.deepEqual(field('abc'), at('abc', 3));
});

test('typing inserts at the cursor and moves it past the text', () => {
	assert.deepEqual(edit(at('ac', 1), 'b', key()), at('abc', 2));
	assert.deepEqual(edit(at('', 0), 'héllo', key()), at('héllo', 5));
	assert.deepEqual(edit(at('x', 0), 'ab', key()), at('abx', 2));
});

test('arrows, Home/End and Ctrl-A/Ctrl-E move the cursor and stop at the ends', () => {
	assert.deepEqual(edit(at('abc', 0), '', key({leftArrow: true})), at('abc', 0));
	assert.deepEqual(edit(at('abc', 2), '', key({leftArrow: true})), at('abc', 1));
	assert.deepEqual(edit(at('abc', 3), '', key({rightArrow: true})), at('abc', 3));
	assert.deepEqual(edit(at('abc', 1), '', key({rightArrow: true})), at('abc', 2));
	assert.deepEqual(edit(at('abc', 2), '', key({home: true})), at('abc', 0));
	assert.deepEqual(edit(at('abc', 1), '', key({end: true})), at('abc', 3));
	assert.deepEqual(edit(at('abc', 2), 'a', key({ctrl: true})), at('abc', 0));
	assert.deepEqual(edit(at('abc', 0), 'e', key({ctrl: true})), at('abc', 3));
});

test('Backspace (and Delete, which terminals send for it) removes the character before the cursor; nothing at the start', () => {
	assert.deepEqual(edit(at('abc', 2), '', key({backspace: true})), at('ac', 1));
	assert.deepEqual(edit(at('abc', 3), '', key({delete: true})), at('ab', 2));
	const start = at('abc', 0);
	assert.equal(edit(start, '', key({backspace: true})), start, 'the same field, unchanged');
});

test('Ctrl-U deletes everything before the cursor', () => {
	assert.deepEqual(edit(at('hello world', 6), 'u', key({ctrl: true})), at('world', 0));
	assert.deepEqual(edit(at('abc', 0), 'u', key({ctrl: true})), at('abc', 0));
});

test('keys that are not edits are left to the caller: Enter, Tab, Escape, Up/Down, Page keys, other Ctrl and Meta keys, no input', () => {
	const state = at('abc', 1);
	for (const pressed of [{return: true}, {tab: true}, {tab: true, shift: true}, {escape: true}, {upArrow: true}, {downArrow: true}, {pageUp: true}, {pageDown: true}]) {
		assert.equal(edit(state, '', key(pressed)), undefined, JSON.stringify(pressed));
	}
	assert.equal(edit(state, 'c', key({ctrl: true})), undefined, 'Ctrl-C');
	assert.equal(edit(state, 'x', key({meta: true})), undefined, 'Meta-x');
	assert.equal(edit(state, '', key()), undefined, 'no input');
});

test('a paste stays on one line: line breaks become one space each run, control characters go', () => {
	assert.deepEqual(edit(at('', 0), 'one\r\ntwo\nthree', key()), at('one two three', 13));
	assert.deepEqual(edit(at('', 0), 'a\u0007b\u007fc\u001b', key()), at('abc', 3));
	// Only control characters: nothing to insert, the field is unchanged but the key was handled.
	assert.deepEqual(edit(at('x', 1), '\u0007', key()), at('x', 1));
});
