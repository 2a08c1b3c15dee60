// `eda portal scan`'s progress line (commands/portal-catalog.ts): on a
// terminal, once the scan has taken more than a moment, it shows topics and
// events read, the rate and the time left; never off a terminal or with
// --json. Pure: a clock and a terminal of the test's own.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {progressReporter, type ProgressTarget} from '../source/commands/portal-catalog.js';

function target(tty: boolean): ProgressTarget & {at: number; written: string[]} {
	const t = {
		tty,
		at: 0,
		written: [] as string[],
		write: (text: string) => void t.written.push(text),
		now: () => t.at,
	};
	return t;
}

test('on a terminal: nothing in the first second, then topics, events, rate and time left; cleared at the end', () => {
	const tty = target(true);
	const progress = progressReporter(false, tty);
	tty.at = 500;
	progress.report({topics: 4, topicsDone: 0, events: 1000, estimate: 40_000});
	assert.deepEqual(tty.written, [], 'a scan that takes a moment shows nothing');
	tty.at = 2000;
	progress.report({topics: 4, topicsDone: 1, events: 10_000, estimate: 40_000});
	assert.equal(tty.written.length, 1);
	assert.equal(tty.written[0], '\r\x1b[2KScanning: 1/4 topics, 10000 events read, 5000/s, about 6s left');
	tty.at = 2100;
	progress.report({topics: 4, topicsDone: 1, events: 10_500, estimate: 40_000});
	assert.equal(tty.written.length, 1, 'redrawn at most four times a second');
	progress.done();
	assert.equal(tty.written.at(-1), '\r\x1b[2K', 'the line is cleared');
});

test('off a terminal, or with --json: no progress line at all', () => {
	for (const [json, t] of [[false, target(false)], [true, target(true)]] as const) {
		const progress = progressReporter(json, t);
		t.at = 5000;
		progress.report({topics: 1, topicsDone: 0, events: 5, estimate: 10});
		progress.done();
		assert.deepEqual(t.written, []);
	}
});
