// QueueRates (dashboard/store/queue-rates.ts) fed samples by hand: each
// stage's measured flow comes from a counter, the other from the size change.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {QueueRates, rateWindowMs, type Counters, type Counts, type Sample} from '../source/dashboard/store/queue-rates.js';

const zeroCounts: Counts = {scheduled: 0, ready: 0, inflight: 0, dead: 0};
const zeroCounters: Counters = {enqueued: 0, promoted: 0, claimed: 0, done: 0, retried: 0, dead: 0};
const sample = (at: number, counts: Partial<Counts> = {}, counters: Partial<Counters> = {}): Sample => ({at, counts: {...zeroCounts, ...counts}, counters: {...zeroCounters, ...counters}});
const still = {inRate: 0, outRate: 0, trend: 'steady'};

test('no samples, one sample, or two at the same time: every stage still, no division by zero', () => {
	const rates = new QueueRates();
	assert.deepEqual(rates.flows().ready, still);
	rates.add(sample(1000, {ready: 5}, {claimed: 3}));
	assert.deepEqual(rates.flows().ready, still);
	rates.add(sample(1000, {ready: 9}, {claimed: 9}));
	for (const flow of Object.values(rates.flows())) assert.deepEqual(flow, still);
});

test('rates per second over the samples: promoted leaves scheduled, claimed leaves ready and enters inflight, dead enters dead', () => {
	const rates = new QueueRates();
	rates.add(sample(0, {scheduled: 10, ready: 4, inflight: 2, dead: 1}, {promoted: 100, claimed: 50, dead: 7}));
	// Two seconds later: 6 promoted (scheduled 10 → 8, so 4 were scheduled meanwhile),
	// 8 claimed (ready 4 → 2, so 6 arrived; inflight 2 → 4, so 6 finished), 2 died (dead 1 → 3).
	rates.add(sample(2000, {scheduled: 8, ready: 2, inflight: 4, dead: 3}, {promoted: 106, claimed: 58, dead: 9}));
	const flows = rates.flows();
	assert.deepEqual(flows.scheduled, {inRate: 2, outRate: 3, trend: 'draining'});
	assert.deepEqual(flows.ready, {inRate: 3, outRate: 4, trend: 'draining'});
	assert.deepEqual(flows.inflight, {inRate: 4, outRate: 3, trend: 'growing'});
	assert.deepEqual(flows.dead, {inRate: 1, outRate: 0, trend: 'growing'});
});

test('events pushed straight onto the ready list (the Go tool) count as ready in-flow with no counter of their own', () => {
	const rates = new QueueRates();
	rates.add(sample(0, {ready: 0}));
	rates.add(sample(1000, {ready: 5}));
	assert.deepEqual(rates.flows().ready, {inRate: 5, outRate: 0, trend: 'growing'});
});

test('a counter that went backwards (stats reset) counts as no flow, and a derived flow is never negative', () => {
	const rates = new QueueRates();
	rates.add(sample(0, {scheduled: 5, inflight: 5}, {promoted: 50, claimed: 50}));
	rates.add(sample(1000, {scheduled: 0, inflight: 0}, {promoted: 0, claimed: 0}));
	const flows = rates.flows();
	// scheduled shrank by 5 with no promotions counted: in-flow would be -5, kept at 0.
	assert.deepEqual(flows.scheduled, {inRate: 0, outRate: 0, trend: 'draining'});
	// inflight shrank by 5 with no claims counted: 5 left it.
	assert.deepEqual(flows.inflight, {inRate: 0, outRate: 5, trend: 'draining'});
});

test(`the rates average over the last ${rateWindowMs} ms: older samples are dropped, keeping one at or before the window's start`, () => {
	const rates = new QueueRates();
	// A burst long ago, then a steady 1 a second.
	rates.add(sample(0, {}, {claimed: 0}));
	rates.add(sample(1000, {}, {claimed: 1000}));
	for (let s = 2; s <= 20; s++) rates.add(sample(s * 1000, {}, {claimed: 1000 + (s - 1)}));
	// The window is 5 s: from 15 s (claimed 1014) to 20 s (claimed 1019).
	assert.equal(rates.flows().ready.outRate, 1);
});
