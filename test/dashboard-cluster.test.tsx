// The dashboard on a cluster: the status bar's cluster line and a line per
// named deferred queue in the Queues and Deferred panes (from the snapshot's namedQueues).
import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import {cleanup} from 'ink-testing-library';
import {clusterLine} from '../source/redis/cluster-status.js';
import {DashboardStore, type Snapshot} from '../source/dashboard/store/store.js';
import {renderDashboard} from './helpers/dashboard.js';

const now = 1_700_000_000_000;

function snapshot(patch: Partial<Snapshot> = {}): Snapshot {
	return {
		now,
		rttMs: 1,
		topics: [],
		counts: {scheduled: 0, ready: 0, inflight: 0, dead: 0},
		counters: {enqueued: 0, promoted: 0, claimed: 0, done: 0, retried: 0, dead: 0},
		scheduled: [],
		inflight: [],
		actorNames: [],
		...patch,
	};
}

afterEach(() => cleanup());

describe('dashboard on a cluster', () => {
	it('the status bar says masters up, slots covered, connections and nodes', async () => {
		const store = new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:7000,redis://127.0.0.1:7001', now: () => now});
		const line = clusterLine({mastersUp: 2, masters: 3, slotsCovered: 10_923, connections: [{name: 'a', nodes: ['127.0.0.1:7000', '127.0.0.1:7001']}, {name: 'b', nodes: ['127.0.0.1:7001']}]});
		assert.equal(line, 'cluster 2/3 masters, 10923/16384 slots, 2 connections on 2 nodes');
		store.status({redisState: 'connected', cluster: line});
		store.applySnapshot(snapshot());
		const app = await renderDashboard({store, columns: 160});
		await app.waitForFrame((f) => f.includes('cluster 2/3 masters, 10923/16384 slots'), 'the cluster line');
	});

	it('the Queues pane shows a line per named queue', async () => {
		const store = new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:7000', now: () => now});
		store.applySnapshot(snapshot({namedQueues: [{name: 'emails', counts: {scheduled: 1, ready: 7, inflight: 2, dead: 3}}]}));
		const app = await renderDashboard({store, columns: 140, rows: 50});
		const frame = await app.waitForFrame((f) => f.includes('queue emails'), 'the named queue line');
		assert.match(frame, /queue emails\s+sched 1 ready 7 flight 2 dead 3/);
	});

	it('the Deferred pane shows each named queue with its next due event', async () => {
		const store = new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:7000', now: () => now});
		store.applySnapshot(
			snapshot({
				namedQueues: [
					{name: 'emails', counts: {scheduled: 4, ready: 0, inflight: 1, dead: 0}, nextDueAt: now + 30_000},
					{name: 'reports', counts: {scheduled: 0, ready: 0, inflight: 0, dead: 0}},
				],
			}),
		);
		const app = await renderDashboard({store, columns: 160, rows: 50});
		const frame = await app.waitForFrame((f) => f.includes('named queues (2)'), 'the named queues in the Deferred pane');
		assert.match(frame, /scheduled on message:queue \(0\)/);
		assert.match(frame, /emails\s+next in 30s · 4 sched · 1 in flight/);
		assert.match(frame, /reports\s+none scheduled · 0 sched · 0 in flight/);
	});
});
