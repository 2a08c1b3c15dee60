// The Events view's 15-minute rates: 10-second buckets, kept in the process,
// old buckets cleared as time moves on, empty for a topic never seen.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {longBuckets, RateHistory} from '../source/dashboard/store/rate-history.js';

describe('RateHistory', () => {
	it('keeps 15 minutes in 10 s buckets as events per second, oldest first', () => {
		const history = new RateHistory();
		const start = 1_000_000_000;
		for (let i = 0; i < 50; i++) history.record('orders', start);
		for (let i = 0; i < 20; i++) history.record('orders', start + 60_000);
		const rates = history.perSecond('orders', start + 60_000);
		assert.equal(rates.length, longBuckets);
		assert.equal(rates.at(-1), 2);
		assert.equal(rates.at(-7), 5);
		assert.equal(rates.reduce((a, b) => a + b, 0), 7);
	});

	it('forgets what is older than 15 minutes, and starts empty', () => {
		const history = new RateHistory();
		history.record('orders', 0);
		assert.equal(history.perSecond('orders', 14 * 60_000).reduce((a, b) => a + b, 0), 0.1);
		assert.equal(history.perSecond('orders', 16 * 60_000).reduce((a, b) => a + b, 0), 0);
		assert.deepEqual(new Set(history.perSecond('never')), new Set([0]));
	});
});
