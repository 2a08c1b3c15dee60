// Mesh bench: three private redis-servers in a line, east - west - edge, with
// `eda mesh` (the built CLI) as a process of its own, as users run it.
//
//  1. Forwarding throughput over one link (east > west) against the same
//     run's single-broker batch ingest (eda api-server's batch route on east,
//     1,000 events a request): goal >= 0.5 of it. The link is measured
//     draining a backlog: the mesh is stopped once the route is known, N
//     events are published on east, the mesh is started again, and the rate
//     is N over the time between the first and the last arrival on west
//     (Redis's own stream ids on west), so the process start is not counted.
//     West keeps them all (the mesh's --retain) and is read after the run, so
//     no reader competes with the link while it is measured.
//  2. End-to-end latency east > edge, two hops, at 1,000 events/s (one
//     publish per event): per event, its stream id time on edge minus its
//     stream id time on east (the three servers share this machine's clock),
//     p50 and p99, goal p99 < 50 ms.
//  3. A 60 s cut at 1,000 events/s (10 s with --quick): edge is SIGSTOPped
//     (the west > edge link cannot deliver), 60,000 events are published on
//     east, edge is resumed, and the time from the resume until every event
//     is on edge is the drain time. Every phase checks that each event arrived
//     exactly once.
//
//   npm run bench -- mesh [--quick]
import os from 'node:os';
import path from 'node:path';
import {Redis} from 'ioredis';
import {readRoutes} from '../source/mesh/interest.js';
import {readLinkStates} from '../source/mesh/figures.js';
import {keys} from '../source/redis/keys.js';
import {startPrivateRedis, type PrivateRedis} from '../source/redis/private-server.js';
import type {OutgoingEvent} from '../source/topics/envelope.js';
import {publishEvents} from '../source/topics/publish.js';
import {startProducer} from './ingest.js';
import {ensureDist, root, type BuildState} from './lib/build.js';
import {fire, type LoadFigures} from './lib/load.js';
import {httpRequest, sleep, spawnService, stopAll, type Service} from './lib/procs.js';
import type {BenchOptions, BenchOutput, Goal, Table} from './lib/report.js';

const ratioGoal = 0.5;
const p99Goal = 50;
const rate = 1000;

type Plan = {ingestWarmupS: number; ingestS: number; throughputEvents: number; latencyS: number; cutS: number};

function planFor(quick: boolean): Plan {
	return quick ? {ingestWarmupS: 1, ingestS: 3, throughputEvents: 50_000, latencyS: 10, cutS: 10} : {ingestWarmupS: 2, ingestS: 8, throughputEvents: 200_000, latencyS: 30, cutS: 60};
}

const names = ['east', 'west', 'edge'] as const;
type Name = (typeof names)[number];

function quantile(sorted: number[], q: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;
}

const idMs = (id: string) => Number(id.split('-')[0]);

/** `eda mesh` over the line; resolves once it says it runs. */
async function startMesh(brokers: Record<Name, PrivateRedis>, build: BuildState): Promise<{service: Service; mode: string}> {
	// --retain: the streams the mesh writes keep every event, so each phase checks them all after the fact.
	const args = ['mesh', ...names.flatMap((name) => ['--broker', `${name}=${brokers[name].url}`]), '--link', 'east-west', '--link', 'west-edge', '--retain', '1000000'];
	const [command, mode] = build.fresh ? [[path.join(root, 'dist', 'cli.js')], 'node dist/cli.js'] : [['--import', 'tsx', path.join(root, 'cli.tsx')], 'node --import tsx cli.tsx'];
	const service = spawnService('eda mesh', process.execPath, [...command, ...args], {cwd: root});
	let out = '';
	service.child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
	const started = Date.now();
	while (!out.includes('Mesh running')) {
		if (service.exited()) throw new Error(`eda mesh exited: ${service.tail()}`);
		if (Date.now() - started > 30_000) throw new Error(`eda mesh did not start: ${service.tail()}`);
		await sleep(50);
	}
	return {service, mode};
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<number> {
	const started = Date.now();
	while (!(await check())) {
		if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		await sleep(20);
	}
	return Date.now() - started;
}

/** A consumer group on a topic (interest), in the topic index as `eda consumer -g` writes it. */
async function interest(redis: Redis, topic: string): Promise<void> {
	await redis.xgroup('CREATE', keys.stream(topic), 'bench', '$', 'MKSTREAM');
	await redis.hsetnx(keys.topics, topic, Date.now());
}

let serial = 0;

function events(topic: string, n: number): OutgoingEvent[] {
	const out: OutgoingEvent[] = [];
	for (let i = 0; i < n; i++) {
		const data = JSON.stringify({order_id: ++serial, customer: 'John Doe', total: 49.99});
		out.push({envelope: {specversion: '1.0', id: `bench-${serial}`, source: 'bench/mesh', type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data}, wire: data});
	}
	return out;
}

/**
 * Every entry a topic's stream takes from now on, read as it comes (XREAD on a
 * connection of its own): a stream the mesh writes to keeps only the last
 * 10,000 entries (eda's default retention), so they are read before they go.
 * Keeps envelope id -> the arrival times (stream id ms) it was stored at.
 */
class Tail {
	readonly seen = new Map<string, number[]>();
	count = 0;
	private running = true;
	private readonly loop: Promise<void>;
	private readonly redis: Redis;

	/** `follow`: read as entries come; otherwise read the whole stream once, when asked (readAll). */
	constructor(
		url: string,
		private readonly topic: string,
		follow = true,
	) {
		this.redis = new Redis(url, {maxRetriesPerRequest: null});
		this.redis.on('error', () => undefined);
		this.loop = follow ? this.run() : Promise.resolve();
	}

	/** Everything the stream holds now, read in pages: a picture taken after the run, with no reader competing while events arrive. */
	async readAll(): Promise<void> {
		let last = '-';
		for (;;) {
			const entries = (await this.redis.xrange(keys.stream(this.topic), last, '+', 'COUNT', 10_000)) as [string, string[]][];
			this.take(entries);
			if (entries.length < 10_000) return;
			last = `(${entries.at(-1)?.[0] ?? ''}`;
		}
	}

	private async run(): Promise<void> {
		let last = '0-0';
		while (this.running) {
			const reply = (await this.redis.xread('COUNT', 5000, 'BLOCK', 100, 'STREAMS', keys.stream(this.topic), last)) as [string, [string, string[]][]][] | null;
			for (const [, entries] of reply ?? []) {
				this.take(entries);
				last = entries.at(-1)?.[0] ?? last;
			}
		}
	}

	private take(entries: [string, string[]][]): void {
		for (const [id, fields] of entries) {
			const envelope = fields[fields.indexOf('id') + 1] as string;
			const list = this.seen.get(envelope) ?? [];
			list.push(idMs(id));
			this.seen.set(envelope, list);
			this.count++;
		}
	}

	first(id: string): number | undefined {
		return this.seen.get(id)?.[0];
	}

	/** Entries the stream took that this tail never saw (trimmed before it read them). */
	async unobserved(admin: Redis): Promise<number> {
		const info = (await admin.call('XINFO', 'STREAM', keys.stream(this.topic))) as unknown[];
		return Number(info[info.indexOf('entries-added') + 1]) - this.count;
	}

	async stop(): Promise<void> {
		this.running = false;
		await this.loop.catch(() => undefined);
		this.redis.disconnect();
	}
}

/** Whether the tailed stream took each of `sent` exactly once and nothing else. */
async function exactlyOnce(tail: Tail, admin: Redis, sent: string[]): Promise<{ok: boolean; detail: string}> {
	const doubled = [...tail.seen.values()].filter((l) => l.length > 1).length;
	const missing = sent.filter((id) => !tail.seen.has(id)).length;
	const extra = tail.seen.size - (sent.length - missing);
	const unobserved = await tail.unobserved(admin);
	return {ok: doubled === 0 && missing === 0 && extra === 0 && unobserved === 0, detail: `${sent.length} sent, ${missing} missing, ${doubled} doubled, ${extra} unexpected${unobserved ? `, ${unobserved} trimmed unread` : ''}`};
}

/** Publishes `perS` events a second for `seconds`, one publish call per event, in ticks of about 5 ms. */
async function steady(redis: Redis, topic: string, perS: number, seconds: number): Promise<string[]> {
	const sent: string[] = [];
	const total = perS * seconds;
	const started = Date.now();
	const inFlight: Promise<unknown>[] = [];
	while (sent.length < total) {
		const due = Math.min(total, Math.floor(((Date.now() - started) * perS) / 1000) + 1);
		while (sent.length < due) {
			const [event] = events(topic, 1);
			sent.push((event as OutgoingEvent).envelope.id);
			// One call per event; those of one tick go to Redis together (the group commit, as in the api-server).
			inFlight.push(publishEvents(redis, topic, [event as OutgoingEvent]));
		}
		if (inFlight.length > 500) await Promise.all(inFlight.splice(0));
		await sleep(5);
	}
	await Promise.all(inFlight);
	return sent;
}

export async function runMesh(options: BenchOptions): Promise<BenchOutput> {
	const {log} = options;
	const plan = planFor(options.quick);
	const build = ensureDist(log);
	const notes: string[] = [];
	const brokers: Partial<Record<Name, PrivateRedis>> = {};
	const clients: Redis[] = [];
	let ingest: (LoadFigures & {eventsPerS: number; stored: number}) | undefined;
	let throughput: {events: number; retainedOnEast: number; spanMs: number; perS: number; exact: {ok: boolean; detail: string}; dropped: number} | undefined;
	let latency: {events: number; p50Ms: number; p99Ms: number; maxMs: number; exact: {ok: boolean; detail: string}} | undefined;
	let cut: {events: number; cutS: number; backlogAtResume: number; retainedOnWest: number; drainMs: number; drainPerS: number; exact: {ok: boolean; detail: string}} | undefined;
	let meshMode = '';
	let producerMode = '';
	try {
		for (const name of names) brokers[name] = await startPrivateRedis();
		const all = brokers as Record<Name, PrivateRedis>;
		const client = (name: Name) => {
			const redis = new Redis(all[name].url, {maxRetriesPerRequest: 1});
			redis.on('error', () => undefined);
			clients.push(redis);
			return redis;
		};
		const east = client('east');
		const west = client('west');
		const edge = client('edge');

		// (1a) Single-broker batch ingest on east, before the mesh runs.
		{
			const producer = await startProducer(all.east.url, build, log, undefined, 'batch ingest');
			producerMode = producer.mode;
			try {
				const topic = 'ingestOnly';
				const payload = JSON.stringify(Array.from({length: 1000}, (_v, i) => ({order_id: i + 1, customer: 'John Doe', total: 49.99})));
				const load = {url: `${producer.url}/topics/${topic}/batch`, connections: 10, body: payload, contentType: 'application/json'};
				const smoke = await httpRequest(load.url, {method: 'POST', body: payload, headers: {'content-type': 'application/json'}, timeoutMs: 10_000});
				if (smoke.status !== 200) throw new Error(`POST ${load.url} answered ${smoke.status} ${smoke.body.slice(0, 200)}`);
				await fire({...load, durationS: plan.ingestWarmupS});
				log(`batch ingest on east: ${plan.ingestS} s x 10 connections, 1,000 events a request`);
				const measured = await fire({...load, durationS: plan.ingestS});
				ingest = {...measured, eventsPerS: measured.rps * 1000, stored: measured.ok2xx * 1000};
				log(`  ${Math.round(ingest.eventsPerS)} events/s`);
			} finally {
				await producer.service.stop();
			}
			await east.flushall();
		}

		// The mesh, and interest: thru on west (one hop), lat and cut on edge (two hops).
		await interest(west, 'thru');
		await interest(edge, 'lat');
		await interest(edge, 'cut');
		let mesh = await startMesh(all, build);
		meshMode = mesh.mode;
		await until(async () => {
			const routes = await readRoutes(east);
			return routes.has('thru west') && routes.has('lat edge') && routes.has('cut edge');
		}, 'the routes to reach east', 15_000);
		// Each bridge makes its group at its next refresh.
		await until(async () => ((await east.xinfo('GROUPS', keys.stream('thru')).catch(() => [])) as unknown[]).length > 0, 'the east > west group on thru', 10_000);

		// (1b) Throughput over one link: a backlog published while the mesh is stopped, then drained.
		{
			await mesh.service.stop();
			log(`throughput: ${plan.throughputEvents} events on east while the mesh is stopped`);
			const sent: string[] = [];
			for (let i = 0; i < plan.throughputEvents; i += 5000) {
				const batch = events('thru', Math.min(5000, plan.throughputEvents - i));
				sent.push(...batch.map((e) => e.envelope.id));
				// The default --retain (10,000): the mesh's hold keeps what west has not got.
				await publishEvents(east, 'thru', batch);
			}
			const retainedOnEast = await east.xlen(keys.stream('thru'));
			// West keeps every entry (the mesh runs with --retain 1000000) and is read once
			// they are all there: a reader following the stream live would take CPU from the
			// run it measures, and one that fell behind would find entries trimmed.
			const tail = new Tail(all.west.url, 'thru', false);
			try {
				mesh = await startMesh(all, build);
				await until(async () => (await west.xlen(keys.stream('thru'))) >= sent.length, `${sent.length} events on west`, 600_000);
				await sleep(500);
				await tail.readAll();
			} finally {
				await tail.stop();
			}
			const times = [...tail.seen.values()].flat().sort((a, b) => a - b);
			const spanMs = Math.max(1, (times.at(-1) ?? 0) - (times[0] ?? 0));
			const exact = await exactlyOnce(tail, west, sent);
			const state = (await readLinkStates(east)).find((s) => s.link === 'east>west');
			throughput = {events: sent.length, retainedOnEast, spanMs, perS: (sent.length - 1) / (spanMs / 1000), exact, dropped: state?.dropped ?? 0};
			log(`  ${Math.round(throughput.perS)} events/s over east > west (${exact.detail})`);
		}

		// (2) End-to-end latency east > edge at 1,000 events/s.
		{
			log(`latency: ${rate} events/s on east for ${plan.latencyS} s, to edge over two hops`);
			const from = new Tail(all.east.url, 'lat');
			const to = new Tail(all.edge.url, 'lat');
			let sent: string[] = [];
			try {
				sent = await steady(east, 'lat', rate, plan.latencyS);
				await until(async () => to.count >= sent.length && from.count >= sent.length, `${sent.length} events on edge`, 120_000);
				await sleep(500);
			} finally {
				await Promise.all([from.stop(), to.stop()]);
			}
			const lags = sent.map((id) => (to.first(id) ?? NaN) - (from.first(id) ?? NaN)).filter(Number.isFinite).sort((a, b) => a - b);
			latency = {events: sent.length, p50Ms: quantile(lags, 0.5), p99Ms: quantile(lags, 0.99), maxMs: lags.at(-1) ?? NaN, exact: await exactlyOnce(to, edge, sent)};
			log(`  p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms (${latency.exact.detail})`);
		}

		// (3) A cut of west > edge (edge stopped) at 1,000 events/s, then the drain.
		{
			log(`cut: edge stopped for ${plan.cutS} s while east takes ${rate} events/s`);
			const tail = new Tail(all.edge.url, 'cut');
			try {
				all.edge.process.kill('SIGSTOP');
				let sent: string[];
				try {
					sent = await steady(east, 'cut', rate, plan.cutS);
					// Until west holds them all: the first hop keeps working during the cut.
					await until(async () => (await west.xlen(keys.stream('cut'))) >= sent.length, 'the cut events on west', 60_000);
				} finally {
					all.edge.process.kill('SIGCONT');
				}
				const resumed = Date.now();
				const backlogAtResume = (await readLinkStates(west)).find((s) => s.link === 'west>edge')?.backlog ?? -1;
				const retainedOnWest = await west.xlen(keys.stream('cut'));
				await until(async () => tail.count >= sent.length, `${sent.length} events on edge`, 600_000);
				const drainMs = Date.now() - resumed;
				await sleep(500);
				await tail.stop();
				cut = {events: sent.length, cutS: plan.cutS, backlogAtResume, retainedOnWest, drainMs, drainPerS: sent.length / (drainMs / 1000), exact: await exactlyOnce(tail, edge, sent)};
				log(`  drained ${sent.length} events in ${drainMs} ms (${cut.exact.detail})`);
			} finally {
				await tail.stop();
			}
		}
		await mesh.service.stop();
	} finally {
		await stopAll();
		for (const redis of clients) redis.disconnect();
		for (const broker of Object.values(brokers)) {
			broker.process.kill('SIGCONT');
			await broker.stop();
		}
	}

	const ratio = throughput && ingest ? throughput.perS / ingest.eventsPerS : NaN;
	const tables: Table[] = [
		{
			title: 'Forwarding over one link (east > west) against single-broker batch ingest on east',
			columns: ['measure', 'events/s', 'events', 'detail'],
			rows: [
				['batch ingest, POST /topics/:topic/batch, 1,000 a request, 10 connections', Math.round(ingest?.eventsPerS ?? NaN), ingest?.stored ?? 0, `${plan.ingestS} s after ${plan.ingestWarmupS} s warm-up; p99 ${ingest?.p99Ms ?? '-'} ms a request; non-2xx ${ingest?.non2xx ?? '-'}`],
				['east > west draining a backlog', Math.round(throughput?.perS ?? NaN), throughput?.events ?? 0, throughput ? `${throughput.spanMs} ms first to last arrival; east held ${throughput.retainedOnEast} of them (its --retain is 10,000); ${throughput.exact.detail}; dropped ${throughput.dropped}` : '-'],
			],
			notes: [`forwarding / ingest = ${Number.isFinite(ratio) ? ratio.toFixed(3) : '-'}`],
		},
		{
			title: `End-to-end latency east > west > edge at ${rate.toLocaleString('en-US')} events/s (${plan.latencyS} s, one publish per event)`,
			columns: ['events', 'p50 ms', 'p99 ms', 'max ms', 'exactly once'],
			rows: latency ? [[latency.events, latency.p50Ms, latency.p99Ms, latency.maxMs, latency.exact.detail]] : [],
			notes: ['per event: its stream entry time on edge minus its stream entry time on east (Redis ids; the servers share one clock)'],
		},
		{
			title: `A ${plan.cutS} s cut of west > edge at ${rate.toLocaleString('en-US')} events/s, then the drain`,
			columns: ['events', 'backlog at resume', 'held on west', 'drain ms', 'drain events/s', 'exactly once'],
			rows: cut ? [[cut.events, cut.backlogAtResume, cut.retainedOnWest, cut.drainMs, Math.round(cut.drainPerS), cut.exact.detail]] : [],
			notes: ['the cut: edge SIGSTOPped (it answers nothing, as behind a cut network); drain: from SIGCONT until edge holds every event; the backlog as west last recorded it (written once a second)'],
		},
	];
	const goals: Goal[] = [
		{name: 'forwarding over one link / single-broker batch ingest', target: `>= ${ratioGoal}`, value: Number.isFinite(ratio) ? ratio.toFixed(3) : '-', met: ratio >= ratioGoal},
		{name: `end-to-end latency east > edge (two hops) at ${rate} events/s, p99`, target: `< ${p99Goal} ms`, value: latency ? `${latency.p99Ms} ms (p50 ${latency.p50Ms} ms)` : '-', met: latency !== undefined && latency.p99Ms < p99Goal},
		{name: `the backlog of a ${plan.cutS} s cut drains (time reported)`, target: 'every event on edge', value: cut ? `${cut.events.toLocaleString('en-US')} in ${(cut.drainMs / 1000).toFixed(1)} s` : '-', met: cut?.exact.ok === true},
		{
			name: 'every event exactly once on the broker with interest, in every phase',
			target: '0 missing, 0 doubled',
			value: [throughput?.exact.detail, latency?.exact.detail, cut?.exact.detail].map((d) => d ?? '-').join(' | '),
			met: throughput?.exact.ok === true && latency?.exact.ok === true && cut?.exact.ok === true,
		},
	];
	notes.push(
		`how it ran: ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}; three private redis-servers, eda mesh (${meshMode}) and eda api-server (${producerMode}) as processes of their own; the bench publishes through eda's publish path (source/topics/publish.ts)`,
	);
	return {tables, goals, notes, data: {plan, ingest, throughput, latency, cut, ratio, meshMode, producerMode}};
}
