// The body checks the producer's routes and the labs share (source/producer/body-checks.ts).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {charsetOf} from '../source/producer/body-checks.js';

test('charsetOf: the charset parameter, lower-cased and unquoted', () => {
	assert.equal(charsetOf('application/json'), undefined);
	assert.equal(charsetOf('application/json; charset=UTF-8'), 'utf-8');
	assert.equal(charsetOf('application/json;charset="latin1"'), 'latin1');
	assert.equal(charsetOf('text/plain; format=flowed; CHARSET = utf8'), 'utf8');
	assert.equal(charsetOf('application/json; charset='), '');
});

test('charsetOf: a ;charset= inside another parameter\'s quoted value is not the charset', () => {
	assert.equal(charsetOf('application/json; foo="x;charset=latin1"'), undefined);
	assert.equal(charsetOf('application/json; foo="a\\"b;charset=latin1"; charset=utf-8'), 'utf-8');
});
