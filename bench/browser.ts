// Browsing events at scale (issue 13): a topic with 1,000,000 retained events.
//   1. From the request to the 50 newest events in the dashboard's store
//      (feed/browser.ts openTopic, as Enter on a topic runs it): goal < 100 ms.
//   2. A filter's search of all of it (the `/` of the Events view): its time,
//      and the p99 of another client's commands meanwhile, measured from a
//      worker thread with its own connection and event loop: goal < 5 ms.
//      Redis's SLOWLOG gives the longest single command of the search.
//   3. A trace of one correlation id across 10 topics of 100,000 each (reported).
//
//   npm run bench -- browser [--quick]   (--quick: 100,000 and 10 × 10,000)
import os from 'node:os';
import {Worker} from 'node:worker_threads';
import {Redis} from 'ioredis';
import {traceCorrelation} from '../source/browser/trace.js';
import {EventBrowser} from '../source/dashboard/feed/browser.js';
import {DashboardStore} from '../source/dashboard/store/store.js';
import {keys} from '../source/redis/keys.js';
import {startPrivateRedis, type PrivateRedis} from '../source/redis/private-server.js';
import type {BenchOptions, BenchOutput, Goal} from './lib/report.js';

const openGoalMs = 100;
const probeGoalMs = 5;

/** n events on a topic, pipelined in batches, shaped as the producer stores them (about 250 bytes each). */
async function fill(redis: Redis, topic: string, n: number, correlated: (i: number) => string | undefined): Promise<void> {
	const batch = 20_000;
	for (let at = 0; at < n; at += batch) {
		const pipeline = redis.pipeline();
		for (let i = at; i < Math.min(n, at + batch); i++) {
			const corr = correlated(i) ?? `order-${i}`;
			pipeline.xadd(keys.stream(topic), '*', 'specversion', '1.0', 'id', `${topic}-${i}`, 'source', 'eda/api-server', 'type', topic, 'time', '2026-12-01T10:00:00.000Z', 'datacontenttype', 'application/json', 'data', JSON.stringify({order_id: i, customer: `customer ${i % 977}`, total: (i % 500) / 10, items: [{sku: `SKU-${i % 50}`, qty: 1 + (i % 3)}]}), 'correlationid', corr);
		}
		await pipeline.exec();
	}
	await redis.hset(keys.topics, topic, Date.now());
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const round = (x: number) => Math.round(x * 100) / 100;

// Another client: GETs one after another on its own connection and thread, each timed.
const probeSource = `
const {parentPort, workerData} = require('node:worker_threads');
const {Redis} = require(workerData.ioredis);
const redis = new Redis(workerData.url);
let stop = false;
const times = [];
parentPort.on('message', () => { stop = true; });
(async () => {
  await redis.set('probe', 'x');
  parentPort.postMessage('ready');
  while (!stop) {
    const t = process.hrtime.bigint();
    await redis.get('probe');
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  redis.disconnect();
  parentPort.postMessage(times);
})();
`;

async function probeWhile<T>(url: string, work: () => Promise<T>): Promise<{result: T; latencies: number[]}> {
	const {createRequire} = await import('node:module');
	const ioredis = createRequire(import.meta.url).resolve('ioredis');
	const worker = new Worker(probeSource, {eval: true, workerData: {url, ioredis}});
	await new Promise<void>((resolve) => worker.once('message', () => resolve()));
	const result = await work();
	const latencies = await new Promise<number[]>((resolve) => {
		worker.once('message', (m: number[]) => resolve(m));
		worker.postMessage('stop');
	});
	await worker.terminate();
	return {result, latencies};
}

async function longestCommand(admin: Redis, name: string): Promise<{longestMs: number; count: number}> {
	const entries = (await admin.slowlog('GET', 1_000_000)) as [number, number, number, string[]][];
	const mine = entries.filter((e) => String(e[3]?.[0] ?? '').toLowerCase() === name);
	return {longestMs: Math.max(0, ...mine.map((e) => e[2] / 1000)), count: mine.length};
}

export default async function runBrowser(options: BenchOptions): Promise<BenchOutput> {
	const {log} = options;
	const loadBefore = os.loadavg()[0] ?? 0;
	const retained = options.quick ? 100_000 : 1_000_000;
	const traceTopics = 10;
	const perTopic = options.quick ? 10_000 : 100_000;
	let redis: PrivateRedis | undefined;
	let admin: Redis | undefined;
	let client: Redis | undefined;
	const browsers: EventBrowser[] = [];
	try {
		redis = await startPrivateRedis({});
		admin = new Redis(redis.url, {maxRetriesPerRequest: null});
		client = new Redis(redis.url, {maxRetriesPerRequest: null});
		log(`filling one topic with ${retained.toLocaleString('en-US')} events`);
		await fill(admin, 'big', retained, () => undefined);

		// 1. Enter on the topic → the 50 newest in the store.
		const opens: number[] = [];
		for (let i = 0; i < 7; i++) {
			const store = new DashboardStore({frameMs: 16});
			const browser = new EventBrowser(client, store, {followMs: 60_000});
			browsers.push(browser);
			const started = process.hrtime.bigint();
			await new Promise<void>((resolve) => {
				const unsubscribe = store.subscribe(() => {
					if (store.getState().browse.events.length >= 50) {
						unsubscribe();
						resolve();
					}
				});
				void browser.openTopic('big');
			});
			opens.push(Number(process.hrtime.bigint() - started) / 1e6);
			browser.stop();
		}
		log(`open: median ${round(median(opens))} ms`);

		// 2. A filter nothing matches: the search reads every retained event.
		await admin.config('SET', 'slowlog-log-slower-than', '0');
		await admin.config('SET', 'slowlog-max-len', '100000');
		await admin.slowlog('RESET');
		const store = new DashboardStore({frameMs: 16});
		const browser = new EventBrowser(client, store, {followMs: 60_000});
		browsers.push(browser);
		await browser.openTopic('big');
		const {result: searchMs, latencies} = await probeWhile(redis.url, async () => {
			const started = process.hrtime.bigint();
			await browser.applyFilter('customer=Nobody');
			return Number(process.hrtime.bigint() - started) / 1e6;
		});
		const scanned = store.getState().browse.filter?.scanned ?? 0;
		browser.stop();
		const slow = await longestCommand(admin, 'xrevrange');
		await admin.config('SET', 'slowlog-log-slower-than', '10000');
		const sorted = [...latencies].sort((a, b) => a - b);
		const p99 = percentile(sorted, 99);
		log(`search: ${round(searchMs)} ms for ${scanned} events; probe p99 ${round(p99)} ms over ${latencies.length} commands`);

		// 3. A trace across 10 topics of perTopic each; one order's events in each (3 per topic).
		await admin.del(keys.stream('big'));
		await admin.hdel(keys.topics, 'big');
		log(`filling ${traceTopics} topics of ${perTopic.toLocaleString('en-US')}`);
		for (let t = 0; t < traceTopics; t++) await fill(admin, `step${t}`, perTopic, (i) => (i % Math.floor(perTopic / 3) === 7 ? 'the-order' : undefined));
		const traceStarted = process.hrtime.bigint();
		const trace = await traceCorrelation(client, 'the-order');
		const traceMs = Number(process.hrtime.bigint() - traceStarted) / 1e6;
		log(`trace: ${round(traceMs)} ms, ${trace.events.length} events from ${trace.scanned} read`);

		const goals: Goal[] = [
			{name: `Enter on a topic of ${retained.toLocaleString('en-US')} → the 50 newest in the store (median of ${opens.length})`, target: `< ${openGoalMs} ms`, value: `${round(median(opens))} ms`, met: median(opens) < openGoalMs},
			{name: `another client's commands during the search: p99`, target: `< ${probeGoalMs} ms`, value: `${round(p99)} ms`, met: p99 < probeGoalMs},
			{name: 'the search read every retained event', target: `${retained}`, value: `${scanned}`, met: scanned === retained},
			{name: 'the trace found every event of the order', target: `${traceTopics * 3}`, value: `${trace.events.length}`, met: trace.events.length === traceTopics * 3},
		];
		return {
			tables: [
				{
					title: 'Browsing events',
					columns: ['measure', 'value'],
					rows: [
						['open: request → 50 newest in the store, median ms', round(median(opens))],
						['open: slowest of 7, ms', round(Math.max(...opens))],
						[`search of ${retained.toLocaleString('en-US')} (1000 a step), ms`, round(searchMs)],
						['search: events read a second', Math.round(scanned / (searchMs / 1000))],
						['search: longest XREVRANGE in Redis (SLOWLOG), ms', round(slow.longestMs)],
						['another client during the search: p50 ms', round(percentile(sorted, 50))],
						['another client during the search: p99 ms', round(p99)],
						['another client during the search: max ms', round(sorted.at(-1) ?? Number.NaN)],
						['another client: commands timed', latencies.length],
						[`trace: ${traceTopics} topics × ${perTopic.toLocaleString('en-US')}, ms`, round(traceMs)],
						['trace: events found / read', `${trace.events.length} / ${trace.scanned}`],
					],
				},
			],
			goals,
			notes: [
				`how it ran: ${os.cpus().length} CPU(s), node ${process.version}; one private redis-server; the browser in the bench process, the other client in a worker thread with its own connection`,
				`machine load (1-minute average) ${loadBefore.toFixed(2)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end, on ${os.cpus().length} CPU(s): above the CPU count, every figure here is stretched by other work`,
			],
			data: {retained, opens, searchMs, scanned, slow, probe: {p50: percentile(sorted, 50), p99, max: sorted.at(-1), n: latencies.length}, trace: {ms: traceMs, found: trace.events.length, scanned: trace.scanned, topics: traceTopics, perTopic}},
		};
	} finally {
		for (const b of browsers) b.stop();
		client?.disconnect();
		admin?.disconnect();
		await redis?.stop();
	}
}
