// The flag parsers in cli/parse.ts, called directly: what each accepts, what
// it refuses, and that a refusal is a usage error (exit 2) naming the flag.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {durationFlag, intFlag, parseShare, rateFlag, sizeFlag} from '../source/cli/parse.js';
import {UserError} from '../source/errors.js';

/** Asserts `run` throws a UserError with exit code 2 whose message matches. */
function refuses(run: () => unknown, message: RegExp): void {
	assert.throws(run, (error: unknown) => {
		assert.ok(error instanceof UserError, `a UserError, got ${String(error)}`);
		assert.equal(error.exitCode, 2);
		assert.match(error.message, message);
		return true;
	});
}

describe('durationFlag', () => {
	test('absent: the fallback; a bare number is seconds; units ms, s, m, h', () => {
		assert.equal(durationFlag('interval', undefined, 1234), 1234);
		assert.equal(durationFlag('interval', '2', 0), 2000);
		assert.equal(durationFlag('interval', '500ms', 0), 500);
		assert.equal(durationFlag('interval', '1.5s', 0), 1500);
		assert.equal(durationFlag('interval', '2m', 0), 120_000);
		assert.equal(durationFlag('interval', '1h', 0), 3_600_000);
		assert.equal(durationFlag('interval', '0', 5), 0, 'zero is a duration, not the fallback');
	});

	test('empty, negative, unknown units and words are refused, naming the flag', () => {
		refuses(() => durationFlag('interval', '', 0), /^--interval needs a duration/);
		for (const bad of ['-1s', '10x', 'soon', '1e3', '1 s 2']) refuses(() => durationFlag('work-time', bad, 0), new RegExp(`^--work-time: "${bad}" is not a duration`));
	});
});

describe('intFlag', () => {
	test('whole numbers inside the bounds, given as text or as a number; the bounds themselves are in', () => {
		assert.equal(intFlag('concurrency', undefined, 4, 1, 64), 4);
		assert.equal(intFlag('concurrency', '1', 4, 1, 64), 1);
		assert.equal(intFlag('concurrency', '64', 4, 1, 64), 64);
		assert.equal(intFlag('concurrency', ' 7 ', 4, 1, 64), 7);
		assert.equal(intFlag('port', 0, 3000, 0, 65535), 0);
		assert.equal(intFlag('offset', '-3', 0, -10, 10), -3);
	});

	test('fractions, words, exponents, hex and numbers outside the bounds are refused with the bounds', () => {
		for (const bad of ['1.5', 'abc', '1e2', '0x10', '', '65', '0']) refuses(() => intFlag('concurrency', bad, 4, 1, 64), /^--concurrency: expected a whole number from 1 to 64, got "/);
		refuses(() => intFlag('concurrency', 2.5, 4, 1, 64), /got "2\.5"/);
		refuses(() => intFlag('concurrency', Number.NaN, 4, 1, 64), /got "NaN"/);
	});
});

describe('parseShare and rateFlag', () => {
	test('shares from 0 to 1 in decimal notation', () => {
		assert.equal(parseShare('0'), 0);
		assert.equal(parseShare('1'), 1);
		assert.equal(parseShare('0.2'), 0.2);
		assert.equal(parseShare('.5'), 0.5);
		assert.equal(parseShare(' 0.25 '), 0.25);
	});

	test('signs, exponents, percentages, more than 1 and words are no share', () => {
		for (const bad of ['-0.1', '+0.5', '1e-1', '20%', '1.01', '2', 'half', '', '.', '0.5.1']) assert.equal(parseShare(bad), undefined, bad);
	});

	test('rateFlag: the fallback when absent, a number from meow checked too, a bad one names the flag', () => {
		assert.equal(rateFlag('fail-rate', undefined, 0.1), 0.1);
		assert.equal(rateFlag('fail-rate', '0.3', 0.1), 0.3);
		assert.equal(rateFlag('fail-rate', 1, 0.1), 1);
		refuses(() => rateFlag('fail-rate', 1.5, 0.1), /^--fail-rate: expected a share from 0 to 1, got "1\.5"$/);
		refuses(() => rateFlag('fail-rate', '30%', 0.1), /got "30%"/);
	});
});

describe('sizeFlag', () => {
	test('bytes, kb and mb, any case, with spaces', () => {
		assert.equal(sizeFlag('max-body', undefined, 99), 99);
		assert.equal(sizeFlag('max-body', '1048576', 0), 1_048_576);
		assert.equal(sizeFlag('max-body', '512kb', 0), 512 * 1024);
		assert.equal(sizeFlag('max-body', '1MB', 0), 1024 * 1024);
		assert.equal(sizeFlag('max-body', ' 2 mb ', 0), 2 * 1024 * 1024);
		assert.equal(sizeFlag('max-body', '1b', 0), 1);
	});

	test('zero is no room for a body; fractions, gb, negatives and words are not sizes', () => {
		refuses(() => sizeFlag('max-body', '0', 1), /^--max-body: "0" is no room for any body/);
		refuses(() => sizeFlag('max-body', '0kb', 1), /is no room for any body/);
		for (const bad of ['1.5mb', '1gb', '-1', 'big', '']) refuses(() => sizeFlag('max-body', bad, 1), new RegExp(`^--max-body: "${bad}" is not a size`));
	});
});
