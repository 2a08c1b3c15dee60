// Cluster bench: batch ingest and deferred drain on one Redis node and on a
// 3-master Redis Cluster, in the same run. On a 2-core machine the cluster
// cannot go faster in wall time, so the figures are the ones that show scaling
// whatever the machine: each master's share of the Redis CPU the work cost
// (the busiest should fall towards 1/3), and the client's CPU per event on
// the cluster client against the single-node client.
//
//   npm run bench -- cluster [--quick]
import {DeferredStore} from '../source/deferred/store.js';
import {closeRedis, createCluster, createRedis, waitReady} from '../source/redis/connect.js';
import {deferredKeys} from '../source/redis/keys.js';
import {startPrivateRedis, type PrivateRedis} from '../source/redis/private-server.js';
import {keySlot} from '../source/redis/wait.js';
import {defaultSource, type OutgoingEvent} from '../source/topics/envelope.js';
import {publishEvents} from '../source/topics/publish.js';
import {startTestCluster, type TestCluster} from '../test/helpers/cluster.js';
import type {Redis} from 'ioredis';
import {cpuBetween, sampleCpu} from './lib/cpu.js';
import type {BenchOptions, BenchOutput, Goal, Table} from './lib/report.js';

const shareGoal = 0.45;
const clientGoal = 1.3;
const topicCount = 100;
const batchSize = 50;
const inFlight = 16;

/** What Redis confirmed of a phase: events it took (ingest: stream ids; drain: completions) and work it still holds after. */
type Outcome = {done: number; left: number};

type Phase = {label: string; events: number; wallMs: number; clientMs: number; redisMs: Record<string, number>} & Outcome;

function event(topic: string, n: number): OutgoingEvent {
	const data = JSON.stringify({n, topic, pad: 'x'.repeat(64)});
	return {wire: data, envelope: {specversion: '1.0', id: `${topic}-${n}`, source: defaultSource, type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data}};
}

/** Runs `work` while sampling this process's CPU and each Redis process's. */
async function measure(label: string, events: number, pids: Record<string, number | undefined>, work: () => Promise<Outcome>): Promise<Phase> {
	const before = sampleCpu(pids);
	const cpuBefore = process.cpuUsage();
	const outcome = await work();
	const cpu = process.cpuUsage(cpuBefore);
	const use = cpuBetween(before, sampleCpu(pids));
	return {label, events, wallMs: use.wallMs, clientMs: (cpu.user + cpu.system) / 1000, redisMs: use.procsMs, ...outcome};
}

/** Publishes `total` events (a multiple of the batch size) over the topics; `done` counts the stream ids Redis gave back. */
async function ingest(redis: Redis, total: number): Promise<Outcome> {
	const batches = Math.ceil(total / batchSize);
	let next = 0;
	let done = 0;
	const lane = async () => {
		for (let b = next++; b < batches; b = next++) {
			const topic = `bench.${b % topicCount}`;
			// Read after the await: `done += await …` would add to the value from before it, lost to the other lanes.
			const ids = await publishEvents(redis, topic, Array.from({length: batchSize}, (_, i) => event(topic, b * batchSize + i)));
			done += ids.length;
		}
	};
	await Promise.all(Array.from({length: inFlight}, lane));
	return {done, left: 0};
}

/**
 * Enqueue, promote, claim and complete `total` events (a multiple of the
 * number of queues) spread over the queues; `done` counts the completions
 * Redis confirmed, `left` what the queues still hold after (ready, scheduled,
 * in flight).
 */
async function drain(redis: Redis, queues: string[], total: number): Promise<Outcome> {
	const outcomes = await Promise.all(
		queues.map(async (queue) => {
			const k = deferredKeys(queue);
			const store = new DeferredStore(redis, k);
			const mine = Math.floor(total / queues.length);
			for (let i = 0; i < mine; i += 200) await store.enqueueMany(Array.from({length: Math.min(200, mine - i)}, (_, j) => ({body: `{"q":"${queue}","n":${i + j}}`, delayMs: 0})));
			for (;;) if ((await store.promote(1000)).moved === 0) break;
			let done = 0;
			for (;;) {
				const {events} = await store.claim(100, 'bench', 60_000, 3);
				if (events.length === 0) break;
				const completed = await store.completeMany(events);
				done += completed.filter(Boolean).length;
			}
			const [ready, scheduled, inflight] = await Promise.all([redis.llen(k.work), redis.zcard(k.scheduled), redis.zcard(k.inflight)]);
			return {done, left: ready + scheduled + inflight};
		}),
	);
	return outcomes.reduce((sum, o) => ({done: sum.done + o.done, left: sum.left + o.left}), {done: 0, left: 0});
}

/** Three queue names whose tags hash to three different masters (and says which). */
async function queuesOnEveryMaster(cluster: TestCluster): Promise<{names: string[]; owners: number[]}> {
	const names: string[] = [];
	const owners: number[] = [];
	for (let i = 0; names.length < 3; i++) {
		const name = `bench-q${i}`;
		const owner = (await cluster.masterOf(`{${name}}`)).port;
		if (owners.includes(owner)) continue;
		owners.push(owner);
		names.push(name);
	}
	return {names, owners};
}

export default async function runCluster(options: BenchOptions): Promise<BenchOutput> {
	const {log} = options;
	const events = options.quick ? 25_000 : 50_000;
	const drained = options.quick ? 6_000 : 15_000;
	let single: PrivateRedis | undefined;
	let cluster: TestCluster | undefined;
	let singleClient: Redis | undefined;
	let clusterClient: Redis | undefined;
	try {
		single = await startPrivateRedis({});
		cluster = await startTestCluster();
		singleClient = createRedis(single.url);
		await waitReady(singleClient, 5000);
		clusterClient = createCluster(cluster.url.split(','));
		await waitReady(clusterClient, 10_000);
		const {names: queues, owners} = await queuesOnEveryMaster(cluster);
		log(`queues ${queues.join(', ')} (slots ${queues.map((q) => keySlot(`{${q}}`)).join(', ')}) on masters ${owners.join(', ')}`);
		const singlePids = {single: single.process.pid};
		const masterPids = Object.fromEntries(cluster.nodes.map((n) => [String(n.port), n.server.process.pid]));
		// A warm-up of each: scripts loaded, connections open.
		await ingest(singleClient, 2000);
		await ingest(clusterClient, 2000);
		log('ingest, single node');
		const ingestSingle = await measure('batch ingest, 1 node', events, singlePids, () => ingest(singleClient as Redis, events));
		log('ingest, cluster');
		const ingestCluster = await measure('batch ingest, 3 masters', events, masterPids, () => ingest(clusterClient as Redis, events));
		log('deferred drain, single node');
		const drainSingle = await measure('deferred drain, 1 node', drained, singlePids, () => drain(singleClient as Redis, queues, drained));
		log('deferred drain, cluster');
		const drainCluster = await measure('deferred drain, 3 masters', drained, masterPids, () => drain(clusterClient as Redis, queues, drained));

		const phases = [ingestSingle, ingestCluster, drainSingle, drainCluster];
		const redisTotal = (p: Phase) => Object.values(p.redisMs).reduce((a, b) => a + b, 0);
		const busiestShare = (p: Phase) => Math.max(...Object.values(p.redisMs)) / Math.max(1e-9, redisTotal(p));
		const perEventUs = (ms: number, n: number) => (ms * 1000) / n;
		const table: Table = {
			title: 'Per event: Redis CPU (all nodes, busiest node) and client CPU',
			columns: ['phase', 'events', 'wall s', 'Redis µs/event', 'busiest node µs/event', 'busiest share', 'client µs/event'],
			rows: phases.map((p) => [p.label, p.events, Math.round(p.wallMs / 100) / 10, Math.round(perEventUs(redisTotal(p), p.events) * 10) / 10, Math.round(perEventUs(Math.max(...Object.values(p.redisMs)), p.events) * 10) / 10, Math.round(busiestShare(p) * 100) / 100, Math.round(perEventUs(p.clientMs, p.events) * 10) / 10]),
			notes: [`${topicCount} topics, batches of ${batchSize}, ${inFlight} in flight; deferred: queues ${queues.join(', ')} picked so their tags hash to three different masters (${owners.join(', ')})`],
		};
		const ratio = (a: Phase, b: Phase) => perEventUs(b.clientMs, b.events) / Math.max(1e-9, perEventUs(a.clientMs, a.events));
		const goals: Goal[] = [
			// The per-event figures divide by `events`: they hold only if Redis took and finished every one.
			{
				name: 'every event stored (ingest) or completed (drain), nothing left in a queue, each phase',
				target: phases.map((p) => p.events).join(' / '),
				value: phases.map((p) => `${p.done}${p.left > 0 ? ` (${p.left} left)` : ''}`).join(' / '),
				met: phases.every((p) => p.done === p.events && p.left === 0),
			},
			{name: 'ingest: busiest master share of Redis CPU', target: `≤ ${shareGoal}`, value: busiestShare(ingestCluster).toFixed(2), met: busiestShare(ingestCluster) <= shareGoal},
			{name: 'drain: busiest master share of Redis CPU', target: `≤ ${shareGoal}`, value: busiestShare(drainCluster).toFixed(2), met: busiestShare(drainCluster) <= shareGoal},
			{name: 'ingest: cluster client CPU per event vs single node', target: `≤ ${clientGoal}×`, value: `${ratio(ingestSingle, ingestCluster).toFixed(2)}×`, met: ratio(ingestSingle, ingestCluster) <= clientGoal},
			{name: 'drain: cluster client CPU per event vs single node', target: `≤ ${clientGoal}×`, value: `${ratio(drainSingle, drainCluster).toFixed(2)}×`, met: ratio(drainSingle, drainCluster) <= clientGoal},
		];
		return {tables: [table], goals, data: {phases, queues, owners}};
	} finally {
		if (singleClient) await closeRedis(singleClient);
		if (clusterClient) await closeRedis(clusterClient);
		await cluster?.stop();
		await single?.stop();
	}
}
