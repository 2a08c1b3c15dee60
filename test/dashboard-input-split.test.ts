// dashboard/input.ts on its own: what one read holds, in keys.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {createReader, noKey, splitKeys} from '../source/dashboard/input.js';
import {edit, field} from '../source/dashboard/text-edit.js';

describe('splitting a read into keys', () => {
	it('each character is one key, as useInput gives it alone', () => {
		const keys = splitKeys('\t\tab\r\u007F\u0015');
		assert.deepEqual(
			keys.map(({input, key}) => [input, key.tab, key.return, key.delete, key.ctrl]),
			[
				['', true, false, false, false],
				['', true, false, false, false],
				['a', false, false, false, false],
				['b', false, false, false, false],
				['', false, true, false, false],
				['', false, false, true, false],
				['u', false, false, false, true],
			],
		);
	});

	it('a reader splits runs of several characters, passes single keys and escape sequences, and tracks a paste', () => {
		const read = createReader();
		assert.equal(read('\t\t').kind, 'keys');
		assert.equal(read('\t').kind, 'key');
		assert.equal(read('é').kind, 'key');
		assert.equal(read('😀').kind, 'key', 'one character in two UTF-16 units');
		assert.deepEqual(read('dd'), {kind: 'keys', keys: splitKeys('dd')});
		assert.equal(read('\u001B[A').kind, 'key');
		assert.equal(read('\u001B[200~').kind, 'mark');
		assert.deepEqual(read('a\tb\r'), {kind: 'paste', text: 'a\tb\r'});
		assert.deepEqual(read('more'), {kind: 'paste', text: 'more'});
		assert.equal(read('\u001B[201~').kind, 'mark');
		assert.equal(read('\r\r').kind, 'keys');
	});

	it('pasted text goes into a field with its tabs and line breaks as spaces', () => {
		assert.deepEqual(edit(field('x'), '{"a":\t1,\r\n"b": 2}', noKey), {value: 'x{"a": 1, "b": 2}', cursor: 17});
	});
});
