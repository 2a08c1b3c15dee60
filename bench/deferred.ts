// Deferred bench, on one private redis-server:
// - drain: 20,000 events waiting in message:queue, our worker (interval 0)
//   against a BullMQ worker at concurrency 16 with no-op jobs, three rounds
//   alternating which goes first, judged on the median of the per-round ratios;
// - schedule accuracy: 1,000 events with delays spread over 10 s, how late
//   each was handed to a worker (claimedAt - due, both Redis time);
// - chaos: real master and worker processes SIGKILLed at random while events
//   arrive at a fixed rate; accepted, processed, lost, duplicated.
//
//   npx tsx bench/deferred.ts [--quick]     (or npm run bench -- deferred)
import {spawn, type ChildProcess} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Redis} from 'ioredis';
import type {ActorOutput} from '../source/actors/output.js';
import {DeferredMaster} from '../source/deferred/master.js';
import {DeferredStore} from '../source/deferred/store.js';
import {DeferredWorker} from '../source/deferred/worker.js';
import {createRedis, waitReady} from '../source/redis/connect.js';
import {keys} from '../source/redis/keys.js';
import {startPrivateRedis, type PrivateRedis} from '../source/redis/private-server.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {drainBull, drainOurs, type DrainRun} from './lib/drain.js';
import {normalize, renderResult, type BenchOptions, type BenchOutput, type Goal, type Table} from './lib/report.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const silent: ActorOutput = {emit: () => undefined};

/** Ours ÷ BullMQ the drain must reach (issue 14). */
const drainGoal = 2.0;
/** Schedule lateness p99 (claimedAt - due, Redis ms) the accuracy run must stay under (issue 14). */
const latenessGoalMs = 20;
/** Events a second offered during the chaos run: twice the 1,000 of before, now that the worker drains faster. */
const chaosRate = 2000;

function median(xs: number[]): number {
	const sorted = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return Number.NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, pollMs = 20): Promise<boolean> {
	const started = Date.now();
	while (Date.now() - started < timeoutMs) {
		if (await check()) return true;
		await sleep(pollMs);
	}
	return false;
}

type Accuracy = {events: number; handedOver: number; p50: number; p99: number; max: number; promoteP99: number; early: number};

async function accuracy(session: RedisSession, admin: Redis, n: number, spreadMs: number): Promise<Accuracy> {
	await admin.flushall();
	const master = new DeferredMaster(session, silent);
	const worker = new DeferredWorker(session, silent, {intervalMs: 0, concurrency: 16, leaseMs: 30_000, maxAttempts: 5, backoffMs: 1000, handler: async () => undefined});
	await master.start();
	await worker.start();
	const store = new DeferredStore(admin);
	// Enqueued over the first second, each due 0..spread later: the master sleeps and wakes on its own.
	const ids: string[] = [];
	for (let i = 0; i < n; i += 50) {
		const batch = await store.enqueueMany(Array.from({length: Math.min(50, n - i)}, () => ({body: 'tick', delayMs: 200 + Math.random() * spreadMs})));
		ids.push(...batch.map((e) => e.id));
		await sleep(1000 / (n / 50));
	}
	await waitUntil(async () => Number(await admin.hget(keys.deferred.stats, 'done')) >= n, spreadMs + 30_000, 100);
	await worker.stop();
	await master.stop();
	const pipeline = admin.pipeline();
	for (const id of ids) pipeline.hmget(keys.deferred.event(id), 'due', 'readyAt', 'claimedAt', 'state');
	const records = ((await pipeline.exec()) ?? []).map(([, v]) => v as (string | null)[]);
	// Only events Redis holds as done count: one never claimed would read as "early" by -due ms.
	const rows = records.filter((r) => r[3] === 'done').map((r) => r.slice(0, 3).map(Number));
	const late = rows.map(([due, , claimed]) => (claimed ?? 0) - (due ?? 0)).sort((a, b) => a - b);
	const promoteLate = rows.map(([due, ready]) => (ready ?? 0) - (due ?? 0)).sort((a, b) => a - b);
	return {
		events: n,
		handedOver: rows.length,
		p50: percentile(late, 50),
		p99: percentile(late, 99),
		max: late.at(-1) ?? Number.NaN,
		promoteP99: percentile(promoteLate, 99),
		early: late.filter((l) => l < 0).length,
	};
}

type Chaos = {
	seconds: number;
	rate: number;
	sent: number;
	accepted: number;
	refused: number;
	processed: number;
	lost: number;
	duplicated: number;
	/** Duplicates whose earlier run was on a worker SIGKILLed before Redis had its completion: the at-least-once cost of a kill. */
	explained: number;
	/** Duplicates whose earlier run outlived its lease (the worker said lease-lost): a stalled worker. */
	stalled: number;
	kills: number;
	workerKills: number;
	drainedInS: number;
};

/** One master or worker process; `runs` and `done` are what its --json lines said, `killed` whether the bench SIGKILLed it. */
type Proc = {kind: 'master' | 'worker'; child: ChildProcess; killed: boolean; done: Set<string>; leaseLost: Set<string>};

/** Every handler start per event id, by the process that ran it. */
type Runs = Map<string, Proc[]>;

function spawnActor(url: string, kind: 'master' | 'worker', runs: Runs): Proc {
	const args = ['--import', 'tsx', 'cli.tsx', 'consumer', '-d', '--json', '--redis-url', url];
	if (kind === 'master') args.push('-m');
	else args.push('--interval', '0', '--concurrency', '32', '--work-time', '10ms', '--lease', '2s');
	const child = spawn(process.execPath, args, {cwd: root, stdio: ['ignore', 'pipe', 'ignore']});
	const proc: Proc = {kind, child, killed: false, done: new Set(), leaseLost: new Set()};
	let rest = '';
	child.stdout?.on('data', (chunk: Buffer) => {
		rest += chunk.toString();
		const lines = rest.split('\n');
		rest = lines.pop() ?? '';
		for (const line of lines) {
			const processing = line.includes('"event":"processing"');
			const lost = line.includes('"event":"lease-lost"');
			if (!processing && !lost && !line.includes('"event":"done"')) continue;
			const id = (JSON.parse(line) as {id: string}).id;
			if (processing) runs.set(id, [...(runs.get(id) ?? []), proc]);
			else if (lost) proc.leaseLost.add(id);
			else proc.done.add(id);
		}
	});
	return proc;
}

async function chaos(url: string, admin: Redis, seconds: number, rate: number, log: (line: string) => void): Promise<Chaos> {
	await admin.flushall();
	const runs: Runs = new Map();
	const procs: Proc[] = [spawnActor(url, 'master', runs), spawnActor(url, 'master', runs), spawnActor(url, 'worker', runs), spawnActor(url, 'worker', runs), spawnActor(url, 'worker', runs)];
	await sleep(3000); // tsx start-up
	const producer = createRedis(url, {offlineQueue: false});
	await waitReady(producer, 5000);
	const store = new DeferredStore(producer);
	const accepted: string[] = [];
	let refused = 0;
	let kills = 0;
	let workerKills = 0;
	const started = Date.now();
	let nextKill = started + 3000;
	let sent = 0;
	// Fixed bounds: `seconds` of load at `rate` events/s, in 10 ms ticks.
	while (Date.now() - started < seconds * 1000) {
		const due = Math.floor(((Date.now() - started) / 1000) * rate);
		const batch = Math.min(1000, due - sent);
		if (batch > 0) {
			sent += batch;
			try {
				const stored = await store.enqueueMany(Array.from({length: batch}, (_, i) => ({body: JSON.stringify({n: sent - batch + i}), delayMs: (i % 10) * 100})));
				accepted.push(...stored.map((e) => e.id));
			} catch {
				refused += batch;
			}
		}
		if (Date.now() >= nextKill) {
			const victim = Math.floor(Math.random() * procs.length);
			const proc = procs[victim] as Proc;
			proc.child.kill('SIGKILL');
			proc.killed = true;
			kills++;
			if (proc.kind === 'worker') workerKills++;
			procs[victim] = spawnActor(url, proc.kind, runs);
			nextKill = Date.now() + 2000 + Math.random() * 2000;
		}
		await sleep(10);
	}
	log(`chaos: load over, ${accepted.length} accepted, ${kills} kills; draining`);
	const drainStart = Date.now();
	const allDone = async () => {
		const pipeline = admin.pipeline();
		for (const id of accepted) pipeline.hget(keys.deferred.event(id), 'state');
		const states = ((await pipeline.exec()) ?? []).map(([, s]) => s);
		return states.filter((s) => s === 'done').length;
	};
	await waitUntil(async () => (await allDone()) === accepted.length, 60_000, 500);
	const drainedInS = (Date.now() - drainStart) / 1000;
	const processed = await allDone();
	for (const proc of procs) proc.child.kill('SIGTERM');
	await sleep(1500);
	for (const proc of procs) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
	producer.disconnect();
	// A second run of an event is what at-least-once allows when a worker dies
	// between its handler and its completion reaching Redis: the lease runs out
	// and a master hands the event out again. Each duplicate is checked for that.
	let duplicated = 0;
	let explained = 0;
	let stalled = 0;
	for (const id of accepted) {
		const ran = runs.get(id) ?? [];
		if (ran.length < 2) continue;
		duplicated += ran.length - 1;
		for (const earlier of ran.slice(0, -1)) {
			if (earlier.killed && !earlier.done.has(id)) explained++;
			else if (earlier.leaseLost.has(id)) stalled++;
		}
	}
	return {seconds, rate, sent, accepted: accepted.length, refused, processed, lost: accepted.length - processed, duplicated, explained, stalled, kills, workerKills, drainedInS};
}

export async function runDeferred(options: Partial<BenchOptions> = {}): Promise<BenchOutput> {
	const quick = options.quick ?? false;
	const log = options.log ?? ((line: string) => process.stderr.write(`[deferred] ${line}\n`));
	const drainEvents = 20_000;
	let server: PrivateRedis | undefined;
	let session: RedisSession | undefined;
	let admin: Redis | undefined;
	try {
		server = await startPrivateRedis();
		session = await openRedisSession({url: server.url, say: log});
		admin = new Redis(server.url, {maxRetriesPerRequest: null});

		// The measure: the median of three rounds, each a pair of adjacent
		// runs whose order flips every round, so neither side always runs on a
		// warmer (or quieter) machine. Ratios are of adjacent runs: on a shared
		// box they move together far more than either figure alone.
		const rounds = quick ? 1 : 3;
		const ours: DrainRun[] = [];
		const bull: DrainRun[] = [];
		// One drain of each first, not counted: both are long-running workers, and
		// the first 20,000 jobs of a fresh process are mostly the JIT warming up
		// (measured on a quiet machine: eda's first run 30-35% slower than its third).
		const warm = {ours: await drainOurs(session, admin, drainEvents, 16), bull: await drainBull(server.url, admin, drainEvents, 16)};
		log(`drain warm-up (not counted): ours ${Math.round(warm.ours.perSecond)}/s, BullMQ ${Math.round(warm.bull.perSecond)}/s`);
		for (let round = 0; round < rounds; round++) {
			if (round % 2 === 0) {
				ours.push(await drainOurs(session, admin, drainEvents, 16));
				bull.push(await drainBull(server.url, admin, drainEvents, 16));
			} else {
				bull.push(await drainBull(server.url, admin, drainEvents, 16));
				ours.push(await drainOurs(session, admin, drainEvents, 16));
			}
			log(`drain round ${round + 1}: ours ${Math.round(ours.at(-1)?.perSecond ?? 0)}/s, BullMQ ${Math.round(bull.at(-1)?.perSecond ?? 0)}/s`);
		}
		// Shown, not judged: how far a wider worker goes.
		const wide = await drainOurs(session, admin, drainEvents, 64);
		const roundRatios = ours.map((o, i) => o.perSecond / (bull[i]?.perSecond ?? Number.NaN));
		const ratio = median(roundRatios);
		// The eda workers (16 and 64) must keep to their concurrency; BullMQ's count is shown, not judged.
		// With a no-op handler, handlers overlap only within one claimed batch, so this catches a worker
		// that starts too many at once, not every leak of a slot: test/deferred-process.test.ts pins the limit.
		const overrun = [...ours, wide].filter((r) => r.mostAtOnce > r.concurrency);

		log('schedule accuracy');
		const acc = await accuracy(session, admin, 1000, quick ? 3000 : 10_000);
		log(`accuracy: p50 ${acc.p50} ms, p99 ${acc.p99} ms`);

		log('chaos');
		const ch = await chaos(server.url, admin, quick ? 10 : 60, chaosRate, log);
		log(`chaos: ${JSON.stringify(ch)}`);

		const tables: Table[] = [
			{
				title: `Drain: ${drainEvents.toLocaleString('en-US')} events waiting, no-op handler, one warm-up drain each (not counted), then ${rounds} round(s), order flipped each round`,
				columns: ['round', 'worker', 'seconds', 'events/s', 'most handlers at once', 'script calls/job', 'Redis commands/job', 'Redis CPU us/job', 'bench process CPU us/job'],
				rows: [
					...ours.flatMap((o, i) => {
						const b = bull[i] as DrainRun;
						const pair = i % 2 === 0 ? [o, b] : [b, o];
						return pair.map((r) => [i + 1, r.label, Number(r.seconds.toFixed(2)), Math.round(r.perSecond), r.mostAtOnce, Number(r.scriptsPerJob.toFixed(3)), Number(r.commandsPerJob.toFixed(1)), Number(r.redisUsPerJob.toFixed(1)), Number(r.clientUsPerJob.toFixed(1))]);
					}),
					['-', wide.label, Number(wide.seconds.toFixed(2)), Math.round(wide.perSecond), wide.mostAtOnce, Number(wide.scriptsPerJob.toFixed(3)), Number(wide.commandsPerJob.toFixed(1)), Number(wide.redisUsPerJob.toFixed(1)), Number(wide.clientUsPerJob.toFixed(1))],
				],
				notes: [
					`ours ÷ BullMQ at concurrency 16, per round (adjacent runs): ${roundRatios.map((x) => x.toFixed(2)).join(', ')}; median ${ratio.toFixed(2)} (warm-up, not counted: ours ${Math.round(warm.ours.perSecond)}/s, BullMQ ${Math.round(warm.bull.perSecond)}/s)`,
					'script calls/job: EVALSHA/EVAL calls (the round trips: both workers send nothing else per job); Redis commands/job: every command Redis ran, those inside scripts included (INFO commandstats)',
					'Redis CPU: used_cpu_sys + used_cpu_user of redis-server over the run; bench process CPU: process.cpuUsage() of this process, where either worker runs',
				],
			},
			{
				title: `Schedule accuracy: ${acc.events} events due over ${quick ? 3 : 10} s, lateness of the hand-over to a worker`,
				columns: ['handed over', 'p50 ms', 'p99 ms', 'max ms', 'promotion p99 ms', 'early'],
				rows: [[acc.handedOver, acc.p50, acc.p99, acc.max, acc.promoteP99, acc.early]],
			},
			{
				title: `Chaos: ${ch.seconds} s at ${ch.rate} events/s, a random master or worker SIGKILLed every 2-4 s`,
				columns: ['sent', 'accepted', 'refused', 'processed', 'lost', 'duplicated', 'of them after a worker kill', 'after a lost lease', 'kills (workers)', 'drained after load (s)'],
				rows: [[ch.sent, ch.accepted, ch.refused, ch.processed, ch.lost, ch.duplicated, ch.explained, ch.stalled, `${ch.kills} (${ch.workerKills})`, Number(ch.drainedInS.toFixed(1))]],
				notes: [
					'duplicated: handler runs beyond the first per event (from the workers\' --json processing lines); "after a worker kill": the earlier run was on a worker SIGKILLed before its completion reached Redis, so the lease ran out and a master handed the event out again, which at-least-once allows; "after a lost lease": the earlier run outlived its lease (a stalled worker, which says lease-lost)',
				],
			},
		];
		const goals: Goal[] = [
			{name: 'drain: ours ÷ BullMQ at concurrency 16 (median of rounds)', target: `≥ ${drainGoal.toFixed(1)}`, value: ratio.toFixed(2), met: ratio >= drainGoal},
			{
				name: 'drain: eda handlers at once',
				target: '≤ concurrency',
				value: [...ours, wide].map((r) => `${r.mostAtOnce} at ${r.concurrency}`).filter((v, i, all) => all.indexOf(v) === i).join(', '),
				met: overrun.length === 0,
			},
			{name: 'schedule: every event handed over', target: String(acc.events), value: String(acc.handedOver), met: acc.handedOver === acc.events},
			{name: 'schedule lateness p99', target: `< ${latenessGoalMs} ms`, value: `${acc.p99} ms`, met: acc.p99 < latenessGoalMs},
			{name: 'schedule: none early', target: '0', value: String(acc.early), met: acc.early === 0},
			// A run that accepted nothing would lose nothing: the totals must add up as well.
			{name: 'chaos: every event sent accepted', target: String(ch.sent), value: `${ch.accepted} (${ch.refused} refused)`, met: ch.sent > 0 && ch.accepted === ch.sent},
			{name: 'chaos: lost events', target: '0', value: String(ch.lost), met: ch.accepted > 0 && ch.lost === 0 && ch.processed === ch.accepted},
			{name: 'chaos: duplicates explained (worker killed, or lease lost)', target: String(ch.duplicated), value: String(ch.explained + ch.stalled), met: ch.explained + ch.stalled === ch.duplicated},
		];
		return {
			tables,
			goals,
			notes: quick ? ['--quick: short runs, a smoke test of the numbers'] : [],
			data: {drain: {warm, ours, bull, wide, ratio, roundRatios}, accuracy: acc, chaos: ch},
		};
	} finally {
		admin?.disconnect();
		await session?.close();
		await server?.stop();
	}
}

// Run alone: npx tsx bench/deferred.ts [--quick]
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const startedAt = new Date();
	runDeferred({quick: process.argv.includes('--quick')}).then(
		(result) => {
			const full = normalize('deferred', result, startedAt, new Date());
			process.stdout.write(`${renderResult(full)}\n`);
			const dir = path.join(root, 'bench', 'results');
			mkdirSync(dir, {recursive: true});
			writeFileSync(path.join(dir, `deferred-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`), `${JSON.stringify(full, null, 2)}\n`);
			process.exit(full.ok ? 0 : 1);
		},
		(error: unknown) => {
			process.stderr.write(`deferred bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
			process.exit(1);
		},
	);
}
