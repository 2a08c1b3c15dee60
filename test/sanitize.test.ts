// Text from the network must never drive the terminal.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {consoleOutput} from '../source/actors/output.js';
import {cut, safeJson, sanitize} from '../source/text/index.js';

// Every C0 control, DEL and every C1 control, which a terminal may act on.
const controlCodes = [...Array.from({length: 0x20}, (_, i) => i), ...Array.from({length: 0x21}, (_, i) => 0x7f + i)];
const raw = /[\u0000-\u001f\u007f-\u009f]/;

test('sanitize: an escape sequence shows as its characters and does nothing', () => {
	assert.equal(sanitize('a\x1b[2Jb'), 'a\\x1b[2Jb');
	assert.equal(sanitize('\x1b]0;title\x07'), '\\x1b]0;title\\x07');
});

test('sanitize: the bell, backspace, DEL and newlines are made visible', () => {
	assert.equal(sanitize('ding\x07'), 'ding\\x07');
	assert.equal(sanitize('x\by'), 'x\\x08y');
	assert.equal(sanitize('x\x7fy'), 'x\\x7fy');
	assert.equal(sanitize('one\ntwo\r\tthree'), 'one\\ntwo\\r\\tthree');
});

test('sanitize: C1 controls (CSI 0x9b, NEL 0x85, OSC 0x9d) are made visible', () => {
	assert.equal(sanitize('\u009b2J'), '\\x9b2J');
	assert.equal(sanitize('a\u0085b'), 'a\\x85b');
	assert.equal(sanitize('\u009d0;t\u009c'), '\\x9d0;t\\x9c');
});

test('sanitize: no control character of any kind survives', () => {
	for (const code of controlCodes) {
		const out = sanitize(`<${String.fromCharCode(code)}>`);
		assert.doesNotMatch(out, raw, `code 0x${code.toString(16)} survived`);
		assert.ok(out.length > 3, `code 0x${code.toString(16)} vanished instead of being shown`);
	}
});

test('sanitize: bidi overrides and line separators are made visible', () => {
	assert.equal(sanitize('a\u202eb'), 'a\\u202eb');
	assert.equal(sanitize('a\u2028b\u2029c'), 'a\\u2028b\\u2029c');
	assert.equal(sanitize('x\u2066y'), 'x\\u2066y');
});

test('sanitize: printable text, odd spacing and unicode are kept as they are', () => {
	const text = '{"a":  1 ,   "b": "héllo ✓ 🚀 日本"}';
	assert.equal(sanitize(text), text);
});

test('cut: sanitizes, then cuts with an ellipsis', () => {
	assert.equal(cut('abc', 10), 'abc');
	assert.equal(cut('abcdefghij', 5), 'abcd…');
	assert.equal(cut('\x1b[2J', 100), '\\x1b[2J');
	assert.equal(cut('\x1b[2Jxxxxxxxx', 5), '\\x1b…');
});

test('safeJson: still JSON, with C1 controls and line separators escaped', () => {
	const value = {data: 'a\u009bb\u2028c\x1bd'};
	const out = safeJson(value);
	assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
	assert.deepEqual(JSON.parse(out), value);
});

test('consoleOutput: text lines sanitized, one per line; --json one safe object a line', () => {
	const text: string[] = [];
	consoleOutput(false, (t) => text.push(t)).emit('actor', ['Event data: \x1b[2J\u009b'], {data: '\x1b[2J'});
	assert.deepEqual(text, ['Event data: \\x1b[2J\\x9b\n']);
	const json: string[] = [];
	consoleOutput(true, (t) => json.push(t)).emit('actor', ['ignored'], {event: 'received', data: '\x1b[2J\u009b'});
	assert.equal(json.length, 1);
	assert.match(json[0] ?? '', /\n$/);
	assert.doesNotMatch(json[0]?.slice(0, -1) ?? '', /[\u0000-\u001f\u007f-\u009f]/);
	assert.deepEqual(JSON.parse(json[0] ?? ''), {actor: 'actor', event: 'received', data: '\x1b[2J\u009b'});
});
