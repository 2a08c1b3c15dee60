// Portal bench: what the event portal costs ingest, whether inference keeps
// up, and whether its memory per topic stays bounded. All on one private
// redis-server with eda's producer (the ingest bench's machinery) and the
// portal watcher in its own process (bench/lib/portal-watcher.ts).
//
//  1. Ingest with the producer's own portal watcher running and a schema
//     enforced on the topic, against a producer with --no-portal on a topic
//     with no schema, in alternating rounds
//     (order flipped each round): the median of the per-round ratios, goal >= 0.9.
//  2. Inference lag under 20,000 events/s of batch ingest (20 requests/s of
//     1,000 events): how far the catalog's read position trails the stream.
//  3. Memory per topic after a million events over 100 topics (100,000 with
//     --quick): Redis MEMORY USAGE of the catalog keys and the watcher's heap,
//     measured at half and at all the events; bounded means the second half
//     did not make either grow.
//
//   npm run bench -- portal [--quick]
import os from 'node:os';
import path from 'node:path';
import {Redis} from 'ioredis';
import {registerSchema} from '../source/portal/registry.js';
import {keys} from '../source/redis/keys.js';
import {startPrivateRedis, type PrivateRedis} from '../source/redis/private-server.js';
import {startProducer} from './ingest.js';
import {ensureDist, root} from './lib/build.js';
import {fire, type LoadFigures} from './lib/load.js';
import {httpRequest, sleep, spawnService, stopAll, type Service} from './lib/procs.js';
import type {BenchOptions, BenchOutput, Goal, Table} from './lib/report.js';

const ratioGoal = 0.9;
const lagRate = 20_000;
const batchSize = 1000;
const memoryTopics = 100;

const body = JSON.stringify({order_id: 123, customer: 'John Doe', total: 49.99});
const declared = {
	type: 'object',
	properties: {order_id: {type: 'integer'}, customer: {type: 'string'}, total: {type: 'number'}},
	required: ['order_id', 'customer', 'total'],
};

type Plan = {rounds: number; connections: number; warmupS: number; durationS: number; lagS: number; memoryEvents: number};

function planFor(quick: boolean): Plan {
	return quick
		? {rounds: 3, connections: 50, warmupS: 1, durationS: 3, lagS: 5, memoryEvents: 200_000}
		: {rounds: 5, connections: 50, warmupS: 2, durationS: 8, lagS: 15, memoryEvents: 1_000_000};
}

function median(values: number[]): number {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	if (sorted.length === 0) return NaN;
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Milliseconds of a stream id. */
function idMs(id: string): number {
	return Number(id.split('-')[0]);
}

type Watcher = {service: Service; heaps: number[]; ready: boolean};

/** The watcher in its own process, with --expose-gc so its heap is read after a collection. */
async function startWatcher(redisUrl: string): Promise<Watcher> {
	const service = spawnService('portal watcher', process.execPath, ['--expose-gc', '--import', 'tsx', path.join(root, 'bench', 'lib', 'portal-watcher.ts'), '--redis-url', redisUrl], {cwd: root});
	const watcher: Watcher = {service, heaps: [], ready: false};
	let pending = '';
	service.child.stdout?.on('data', (chunk: Buffer) => {
		pending += chunk.toString('utf8');
		const lines = pending.split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) {
			try {
				const message = JSON.parse(line) as {ready?: boolean; heapUsed?: number};
				if (message.ready) watcher.ready = true;
				if (typeof message.heapUsed === 'number') watcher.heaps.push(message.heapUsed);
			} catch {
				// Not one of its JSON lines.
			}
		}
	});
	const started = Date.now();
	while (!watcher.ready) {
		if (service.exited()) throw new Error(`the portal watcher exited: ${service.tail()}`);
		if (Date.now() - started > 20_000) throw new Error(`the portal watcher did not start: ${service.tail()}`);
		await sleep(100);
	}
	return watcher;
}

/** The watcher's heap after a collection, in bytes. */
async function heapOf(watcher: Watcher): Promise<number> {
	const before = watcher.heaps.length;
	watcher.service.child.kill('SIGUSR2');
	const started = Date.now();
	while (watcher.heaps.length === before) {
		if (Date.now() - started > 10_000) throw new Error('the portal watcher did not report its heap');
		await sleep(50);
	}
	return watcher.heaps.at(-1) as number;
}

async function entriesAdded(admin: Redis, topic: string): Promise<number> {
	const info = (await admin.call('XINFO', 'STREAM', keys.stream(topic)).catch(() => [])) as unknown[];
	const at = info.indexOf('entries-added');
	return at === -1 ? 0 : Number(info[at + 1]);
}

/** How far the catalog trails each topic's stream: ms between the last entry and the last one the watcher wrote as read. */
async function lagsMs(admin: Redis, topics: string[]): Promise<number[]> {
	const pipeline = admin.pipeline();
	for (const topic of topics) {
		pipeline.xrevrange(keys.stream(topic), '+', '-', 'COUNT', 1);
		pipeline.xrange(keys.stream(topic), '-', '+', 'COUNT', 1);
		pipeline.hget(keys.portal.catalog(topic), 'pos');
	}
	const replies = (await pipeline.exec()) ?? [];
	const idOf = (reply: unknown) => (reply as [string, string[]][] | undefined)?.[0]?.[0];
	return topics.map((_t, i) => {
		const last = idOf(replies[3 * i]?.[1]);
		const first = idOf(replies[3 * i + 1]?.[1]);
		const pos = replies[3 * i + 2]?.[1] as string | null | undefined;
		if (!last || pos === last) return 0;
		// Nothing read yet: behind by everything the stream holds.
		const from = pos && pos !== '0-0' ? idMs(pos) : idMs(first ?? last) - 1;
		return Math.max(1, idMs(last) - from);
	});
}

async function caughtUp(admin: Redis, topics: string[], timeoutMs: number): Promise<number | undefined> {
	const started = Date.now();
	while (Date.now() - started < timeoutMs) {
		if ((await lagsMs(admin, topics)).every((lag) => lag === 0)) return Date.now() - started;
		await sleep(100);
	}
	return undefined;
}

type Round = {round: number; first: 'with' | 'without'; with: LoadFigures; without: LoadFigures; ratio: number; storedOk: boolean; stored: Record<'with' | 'without', number>; leaderWithout: boolean};

export async function runPortal(options: BenchOptions): Promise<BenchOutput> {
	const {log} = options;
	const plan = planFor(options.quick);
	const notes: string[] = [];
	const build = ensureDist(log);
	let redis: PrivateRedis | undefined;
	let admin: Redis | undefined;
	const rounds: Round[] = [];
	let lag: {offeredPerS: number; achievedPerS: number; samples: number; p50Ms: number; p99Ms: number; maxMs: number; secondHalfP50Ms: number; catchUpMs?: number; non2xx: number} | undefined;
	const memory: {events: number; catalogBytesPerTopic: number; catalogBytesMax: number; heapPerTopic: number; heapTotal: number}[] = [];
	let heapBaseline = 0;
	let producerMode = '';
	try {
		redis = await startPrivateRedis();
		admin = new Redis(redis.url, {maxRetriesPerRequest: 1});
		admin.on('error', () => {});
		const registration = await registerSchema(admin, 'orderEnforced', declared, {mode: 'enforce'});
		if (!registration.ok) throw new Error(`the bench schema was refused: ${JSON.stringify(registration)}`);

		// (1) Ingest with the portal (the producer's own watcher running, the schema enforced) and
		// without either (--no-portal, a topic with no schema), alternating; each run on a producer of its own.
		for (let round = 1; round <= plan.rounds; round++) {
			const order: ('with' | 'without')[] = round % 2 === 1 ? ['with', 'without'] : ['without', 'with'];
			const figures: Partial<Record<'with' | 'without', LoadFigures>> = {};
			let storedOk = true;
			const storedBy: Record<'with' | 'without', number> = {with: 0, without: 0};
			let leaderWithout = false;
			for (const condition of order) {
				const topic = condition === 'with' ? 'orderEnforced' : 'orderPlain';
				const producer = await startProducer(redis.url, build, log, undefined, condition, condition === 'with' ? [] : ['--no-portal']);
				producerMode = producer.mode;
				try {
					const smoke = await httpRequest(`${producer.url}/topics/${topic}`, {method: 'POST', body, headers: {'content-type': 'application/json'}});
					if (smoke.status !== 200) throw new Error(`POST /topics/${topic} answered ${smoke.status} ${smoke.body.slice(0, 200)}`);
					if (condition === 'with') {
						// Enforced: an event that fails the schema is refused (else the "with" runs would not be validating).
						const refused = await httpRequest(`${producer.url}/topics/${topic}`, {method: 'POST', body: '{"order_id": "x"}', headers: {'content-type': 'application/json'}});
						if (refused.status !== 422) throw new Error(`a failing event on the enforced topic answered ${refused.status}, not 422`);
						// Running: the producer's watcher holds the portal lease.
						const since = Date.now();
						while ((await admin.exists(keys.portal.leader)) === 0) {
							if (Date.now() - since > 15_000) throw new Error('the producer\'s portal watcher did not take the lease within 15 s');
							await sleep(100);
						}
					}
					const load = {url: `${producer.url}/topics/${topic}`, connections: plan.connections, body, contentType: 'application/json'};
					await fire({...load, durationS: plan.warmupS});
					const before = await entriesAdded(admin, topic);
					log(`round ${round}: ${condition} the portal, ${plan.durationS} s x ${plan.connections} connections`);
					const measured = await fire({...load, durationS: plan.durationS});
					if (condition === 'without') leaderWithout = (await admin.exists(keys.portal.leader)) === 1;
					await sleep(300);
					const stored = (await entriesAdded(admin, topic)) - before;
					// Requests in flight when the warm-up stopped may land after `before`, and those of the measured run after its count: up to a connection's worth each.
					storedOk &&= stored >= measured.ok2xx && stored <= measured.ok2xx + 2 * plan.connections && measured.non2xx === 0;
					storedBy[condition] = stored;
					figures[condition] = measured;
					log(`  ${Math.round(measured.rps)} req/s, p99 ${measured.p99Ms} ms, ${stored} stored`);
				} finally {
					await producer.service.stop();
				}
			}
			const withFigures = figures.with as LoadFigures;
			const withoutFigures = figures.without as LoadFigures;
			rounds.push({round, first: order[0] ?? 'with', with: withFigures, without: withoutFigures, ratio: withFigures.rps / withoutFigures.rps, storedOk, stored: storedBy, leaderWithout});
		}

		// (2) Inference lag under 20,000 events/s of batch ingest.
		{
			const topic = 'lagTopic';
			const items = Array.from({length: batchSize}, (_v, i) => (i % 2 === 0 ? {order_id: i, customer: 'Ann', total: 10.5} : {order_id: i, customer: 'Bob', total: 3, note: 'gift'}));
			const payload = JSON.stringify(items);
			// As users run it: the producer's own watcher infers what it stores.
			const producer = await startProducer(redis.url, build, log, undefined, 'lag');
			try {
				const samples: {at: number; lagMs: number}[] = [];
				let sampling = true;
				const sampler = (async () => {
					while (sampling) {
						const [lagMs] = await lagsMs(admin as Redis, [topic]);
						samples.push({at: Date.now(), lagMs: lagMs ?? 0});
						await sleep(250);
					}
				})();
				const loadStart = Date.now();
				log(`lag: ${lagRate} events/s of batch ingest for ${plan.lagS} s`);
				const measured = await fire({url: `${producer.url}/topics/${topic}/batch`, connections: 10, body: payload, contentType: 'application/json', durationS: plan.lagS, overallRate: lagRate / batchSize});
				sampling = false;
				await sampler;
				const catchUpMs = await caughtUp(admin, [topic], 60_000);
				const during = samples.map((s) => s.lagMs).sort((a, b) => a - b);
				const half = samples.filter((s) => s.at >= loadStart + (plan.lagS * 1000) / 2).map((s) => s.lagMs);
				lag = {
					offeredPerS: lagRate,
					achievedPerS: Math.round((measured.ok2xx * batchSize) / measured.durationS),
					samples: samples.length,
					p50Ms: median(during),
					p99Ms: during[Math.min(during.length - 1, Math.floor(during.length * 0.99))] ?? NaN,
					maxMs: during.at(-1) ?? NaN,
					secondHalfP50Ms: median(half),
					...(catchUpMs === undefined ? {} : {catchUpMs}),
					non2xx: measured.non2xx + measured.errors + measured.timeouts,
				};
				log(`  achieved ${lag.achievedPerS} events/s; lag p50 ${lag.p50Ms} ms, max ${lag.maxMs} ms; caught up ${catchUpMs ?? 'never'} ms after`);
			} finally {
				await producer.service.stop();
			}
		}

		// (3) Memory per topic: a fresh Redis state and watcher, then half and all of the events over 100 topics.
		{
			await admin.flushall();
			// The watcher in a process of its own, for its heap; the producer runs none (--no-portal).
			const producer = await startProducer(redis.url, build, log, undefined, 'memory', ['--no-portal']);
			const watcher = await startWatcher(redis.url);
			try {
				await sleep(1000);
				heapBaseline = await heapOf(watcher);
				const topics = Array.from({length: memoryTopics}, (_v, t) => `memTopic${String(t).padStart(3, '0')}`);
				const perTopic = plan.memoryEvents / memoryTopics;
				const batchesPerTopic = Math.ceil(perTopic / batchSize);
				const payloadOf = (t: number, b: number) =>
					JSON.stringify(Array.from({length: batchSize}, (_v, i) => ({id: b * batchSize + i, [`field${t}`]: `v${i}`, nested: {n: i, ok: i % 3 === 0}, tags: ['a', String(i % 7)], ...(i % 5 === 0 ? {extra: i} : {})})));
				const send = async (from: number, to: number) => {
					const jobs: {t: number; b: number}[] = [];
					for (let b = from; b < to; b++) for (let t = 0; t < memoryTopics; t++) jobs.push({t, b});
					const inFlight = 8;
					let next = 0;
					await Promise.all(
						Array.from({length: inFlight}, async () => {
							while (next < jobs.length) {
								const job = jobs[next++] as {t: number; b: number};
								const answer = await httpRequest(`${producer.url}/topics/${topics[job.t]}/batch`, {method: 'POST', body: payloadOf(job.t, job.b), headers: {'content-type': 'application/json'}, timeoutMs: 30_000});
								if (answer.status !== 200) throw new Error(`batch to ${topics[job.t]} answered ${answer.status} ${answer.body.slice(0, 200)}`);
							}
						}),
					);
				};
				const measure = async (events: number) => {
					const catchUp = await caughtUp(admin as Redis, topics, 300_000);
					if (catchUp === undefined) throw new Error(`the watcher did not catch up with ${events} events within 300 s`);
					const pipeline = (admin as Redis).pipeline();
					for (const topic of topics) {
						pipeline.call('MEMORY', 'USAGE', keys.portal.catalog(topic), 'SAMPLES', '0');
						pipeline.call('MEMORY', 'USAGE', keys.portal.versions(topic), 'SAMPLES', '0');
					}
					const replies = (await pipeline.exec()) ?? [];
					const perTopicBytes = topics.map((_t, i) => Number(replies[2 * i]?.[1] ?? 0) + Number(replies[2 * i + 1]?.[1] ?? 0));
					const heap = await heapOf(watcher);
					memory.push({
						events,
						catalogBytesPerTopic: Math.round(perTopicBytes.reduce((a, b) => a + b, 0) / topics.length),
						catalogBytesMax: Math.max(...perTopicBytes),
						heapPerTopic: Math.round((heap - heapBaseline) / topics.length),
						heapTotal: heap,
					});
					log(`  after ${events} events: catalog ${memory.at(-1)?.catalogBytesPerTopic} B/topic, watcher heap ${Math.round(heap / 1024 / 1024)} MiB`);
				};
				const halfBatches = Math.floor(batchesPerTopic / 2);
				log(`memory: ${plan.memoryEvents} events over ${memoryTopics} topics`);
				await send(0, halfBatches);
				await measure(halfBatches * batchSize * memoryTopics);
				await send(halfBatches, batchesPerTopic);
				await measure(batchesPerTopic * batchSize * memoryTopics);
			} finally {
				await watcher.service.stop();
				await producer.service.stop();
			}
		}
	} finally {
		await stopAll();
		admin?.disconnect();
		await redis?.stop();
	}

	const ratio = median(rounds.map((r) => r.ratio));
	const [half, all] = memory;
	const catalogGrowth = half && all ? all.catalogBytesPerTopic / half.catalogBytesPerTopic : NaN;
	const heapGrowth = half && all ? all.heapPerTopic / Math.max(1, half.heapPerTopic) : NaN;
	const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
	const tables: Table[] = [
		{
			title: `POST /topics/:topic with the portal (watcher running, schema enforced) and without (${plan.connections} connections, ${plan.warmupS} s warm-up + ${plan.durationS} s measured, order flipped each round)`,
			columns: ['round', 'first', 'with req/s', 'with p99 ms', 'without req/s', 'without p99 ms', 'with / without', 'stored with', '2xx with', 'stored without', '2xx without', 'verified'],
			rows: rounds.map((r) => [r.round, r.first, Math.round(r.with.rps), r.with.p99Ms, Math.round(r.without.rps), r.without.p99Ms, Number(r.ratio.toFixed(3)), r.stored.with, r.with.ok2xx, r.stored.without, r.without.ok2xx, r.storedOk ? 'yes' : 'NO']),
			notes: [`median of the per-round ratios = ${Number.isFinite(ratio) ? ratio.toFixed(3) : '-'}`],
		},
		{
			title: `Inference lag under ${lagRate.toLocaleString('en-US')} events/s of batch ingest (${batchSize} events a request, ${plan.lagS} s)`,
			columns: ['offered events/s', 'achieved events/s', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'lag p50, 2nd half', 'caught up after ms', 'non-2xx'],
			rows: lag ? [[lag.offeredPerS, lag.achievedPerS, lag.p50Ms, lag.p99Ms, lag.maxMs, lag.secondHalfP50Ms, lag.catchUpMs ?? 'never', lag.non2xx]] : [],
			notes: ['lag: the newest stream entry\'s time minus that of the last entry the watcher wrote as read (it writes once a second, so about a second is the floor), sampled every 250 ms'],
		},
		{
			title: `Memory per topic, ${memoryTopics} topics`,
			columns: ['events', 'catalog per topic (MEMORY USAGE)', 'catalog max topic', 'watcher heap per topic', 'watcher heap'],
			rows: memory.map((m) => [m.events, kib(m.catalogBytesPerTopic), kib(m.catalogBytesMax), kib(m.heapPerTopic), `${(m.heapTotal / 1024 / 1024).toFixed(1)} MiB`]),
			notes: [`heap per topic: (heap after a collection - heap before any topic, ${(heapBaseline / 1024 / 1024).toFixed(1)} MiB) / ${memoryTopics}; catalog: the topic's catalog hash and versions list`],
		},
	];
	const keepsUp = lag !== undefined && lag.achievedPerS >= lagRate * 0.95 && lag.secondHalfP50Ms <= 2000 && lag.catchUpMs !== undefined && lag.catchUpMs <= 5000;
	const goals: Goal[] = [
		{name: 'ingest with the portal / without (median of rounds)', target: `>= ${ratioGoal}`, value: Number.isFinite(ratio) ? ratio.toFixed(3) : '-', met: ratio >= ratioGoal},
		{name: 'every run stored what it answered 2xx, no non-2xx', target: 'all rounds', value: `${rounds.filter((r) => r.storedOk).length}/${rounds.length}`, met: rounds.length > 0 && rounds.every((r) => r.storedOk)},
		{
			name: `inference keeps up with ${lagRate.toLocaleString('en-US')} events/s`,
			target: '>= 95% of the rate delivered, lag p50 (2nd half) <= 2 s, caught up <= 5 s after',
			value: lag ? `${lag.achievedPerS.toLocaleString('en-US')}/s, ${lag.secondHalfP50Ms} ms, ${lag.catchUpMs ?? 'never'} ms` : '-',
			met: keepsUp,
		},
		{name: 'catalog memory per topic bounded (all events / half)', target: '<= 1.10', value: Number.isFinite(catalogGrowth) ? catalogGrowth.toFixed(3) : '-', met: catalogGrowth <= 1.1},
		{name: 'watcher heap per topic bounded (all events / half)', target: '<= 1.25', value: Number.isFinite(heapGrowth) ? heapGrowth.toFixed(3) : '-', met: heapGrowth <= 1.25},
	];
	notes.push(
		`how it ran: ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}; one private redis-server, the producer (${producerMode}, its own portal watcher running, or --no-portal for the runs without and the memory phase) and, for the memory phase, the watcher alone (node --import tsx bench/lib/portal-watcher.ts) as separate processes, autocannon in the bench process`,
	);
	if (rounds.some((r) => r.leaderWithout)) notes.push('a portal leader lease existed during a run "without" the portal: some watcher ran, so "without" was not without');
	// Figures and goals only: the verdict is bench/lib/report.ts's, from the goals.
	return {
		tables,
		goals,
		notes,
		data: {plan, producerMode, ratio, rounds, lag, memory, heapBaseline},
	};
}
