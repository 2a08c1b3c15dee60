// The drain race of bench/deferred.ts: N no-op events waiting, eda's worker
// against BullMQ's at the same concurrency, in this process, on one private
// redis-server. Each run also says what it cost Redis (INFO cpu and
// commandstats deltas): script calls per job are the round trips, commands
// per job count those run inside scripts too.
import {Redis} from 'ioredis';
import {Queue, Worker as BullWorker} from 'bullmq';
import type {ActorOutput} from '../../source/actors/output.js';
import {DeferredStore} from '../../source/deferred/store.js';
import {DeferredWorker} from '../../source/deferred/worker.js';
import {keys} from '../../source/redis/keys.js';
import type {RedisSession} from '../../source/redis/session.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const silent: ActorOutput = {emit: () => undefined};

export type RedisUse = {cpuMs: number; commands: Record<string, number>; usec: Record<string, number>};

export type DrainRun = {
	label: string;
	events: number;
	seconds: number;
	perSecond: number;
	concurrency: number;
	mostAtOnce: number;
	/** Redis CPU (sys + user) per job, µs. */
	redisUsPerJob: number;
	/** Calls that reach Redis from the client per job: EVALSHA/EVAL and plain commands outside scripts cannot be told apart, so this counts scripts only. */
	scriptsPerJob: number;
	/** Every command Redis ran per job, those inside scripts included. */
	commandsPerJob: number;
	/** Time Redis spent running the scripts per job (commandstats usec of EVALSHA and EVAL), µs. */
	scriptUsPerJob: number;
	/** CPU this process spent per job (the worker runs here), µs. */
	clientUsPerJob: number;
};

async function redisUse(admin: Redis): Promise<RedisUse> {
	const [cpu, stats] = await Promise.all([admin.info('cpu'), admin.info('commandstats')]);
	const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
	const commands: Record<string, number> = {};
	const usec: Record<string, number> = {};
	for (const [, name, calls, us] of stats.matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g)) {
		commands[name as string] = Number(calls);
		usec[name as string] = Number(us);
	}
	return {cpuMs: (field('used_cpu_sys') + field('used_cpu_user')) * 1000, commands, usec};
}

/** Command calls between two samples, the INFO calls themselves left out. */
function commandDelta(a: RedisUse, b: RedisUse): Record<string, number> {
	const out: Record<string, number> = {};
	for (const [name, calls] of Object.entries(b.commands)) {
		const n = calls - (a.commands[name] ?? 0) - (name === 'info' ? 2 : 0);
		if (n > 0) out[name] = n;
	}
	return out;
}

type Costs = Pick<DrainRun, 'redisUsPerJob' | 'scriptsPerJob' | 'commandsPerJob' | 'clientUsPerJob' | 'scriptUsPerJob'> & {commands: Record<string, number>};

function costs(a: RedisUse, b: RedisUse, clientUs: NodeJS.CpuUsage, n: number): Costs {
	const commands = commandDelta(a, b);
	const total = Object.values(commands).reduce((x, y) => x + y, 0);
	const scripts = (commands['evalsha'] ?? 0) + (commands['eval'] ?? 0);
	return {
		redisUsPerJob: ((b.cpuMs - a.cpuMs) * 1000) / n,
		scriptsPerJob: scripts / n,
		commandsPerJob: total / n,
		clientUsPerJob: (clientUs.user + clientUs.system) / n,
		scriptUsPerJob: ((b.usec['evalsha'] ?? 0) - (a.usec['evalsha'] ?? 0) + (b.usec['eval'] ?? 0) - (a.usec['eval'] ?? 0)) / n,
		commands,
	};
}

/** A no-op handler that counts how many of its calls run at once: the worker must keep to its concurrency. */
function countingHandler(): {handler: () => Promise<void>; mostAtOnce: () => number} {
	let running = 0;
	let most = 0;
	return {
		handler: async () => {
			running++;
			most = Math.max(most, running);
			await Promise.resolve();
			running--;
		},
		mostAtOnce: () => most,
	};
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, pollMs: number): Promise<boolean> {
	const started = Date.now();
	while (Date.now() - started < timeoutMs) {
		if (await check()) return true;
		await sleep(pollMs);
	}
	return false;
}

/** Stores n events due now and promotes them all, so they wait in message:queue. */
export async function preloadReady(admin: Redis, n: number): Promise<void> {
	const store = new DeferredStore(admin);
	for (let i = 0; i < n; i += 1000) {
		await store.enqueueMany(Array.from({length: Math.min(1000, n - i)}, (_, j) => ({body: JSON.stringify({n: i + j}), delayMs: 0})));
	}
	while ((await store.promote(1000)).moved > 0);
}

/** Ours: n events in message:queue (promoted beforehand), one worker, timed until all are done. */
export async function drainOurs(session: RedisSession, admin: Redis, n: number, concurrency: number): Promise<DrainRun & {commands: Record<string, number>}> {
	await admin.flushall();
	await preloadReady(admin, n);
	const counting = countingHandler();
	const worker = new DeferredWorker(session, silent, {intervalMs: 0, concurrency, leaseMs: 30_000, maxAttempts: 5, backoffMs: 1000, handler: counting.handler});
	const before = await redisUse(admin);
	const cpu = process.cpuUsage();
	const started = performance.now();
	await worker.start();
	// A cheap poll on its own connection: HGET every 5 ms costs Redis little beside 20,000 jobs.
	await waitUntil(async () => Number(await admin.hget(keys.deferred.stats, 'done')) >= n, 120_000, 5);
	const seconds = (performance.now() - started) / 1000;
	const clientUs = process.cpuUsage(cpu);
	const after = await redisUse(admin);
	await worker.stop();
	const done = Number(await admin.hget(keys.deferred.stats, 'done'));
	if (done !== n) throw new Error(`drain: ${done} of ${n} done`);
	return {label: `eda worker, concurrency ${concurrency}`, events: n, seconds, perSecond: n / seconds, concurrency, mostAtOnce: counting.mostAtOnce(), ...costs(before, after, clientUs, n)};
}

/** BullMQ at its best setting here: one worker, concurrency 16, no-op jobs added beforehand. */
export async function drainBull(url: string, admin: Redis, n: number, concurrency = 16): Promise<DrainRun & {commands: Record<string, number>}> {
	await admin.flushall();
	const connection = {host: '127.0.0.1', port: Number(new URL(url).port), maxRetriesPerRequest: null};
	const queue = new Queue('bench', {connection});
	for (let i = 0; i < n; i += 1000) {
		await queue.addBulk(Array.from({length: Math.min(1000, n - i)}, (_, j) => ({name: 'job', data: {n: i + j}, opts: {removeOnComplete: true, removeOnFail: true}})));
	}
	let completed = 0;
	let resolveDone: () => void = () => undefined;
	const done = new Promise<void>((resolve) => {
		resolveDone = resolve;
	});
	const counting = countingHandler();
	const before = await redisUse(admin);
	const cpu = process.cpuUsage();
	const started = performance.now();
	const worker = new BullWorker('bench', counting.handler, {connection, concurrency});
	worker.on('completed', () => {
		completed++;
		if (completed === n) resolveDone();
	});
	await Promise.race([done, sleep(120_000)]);
	const seconds = (performance.now() - started) / 1000;
	const clientUs = process.cpuUsage(cpu);
	const after = await redisUse(admin);
	await worker.close();
	await queue.close();
	if (completed !== n) throw new Error(`BullMQ: ${completed} of ${n} completed`);
	return {label: `BullMQ worker, concurrency ${concurrency}`, events: n, seconds, perSecond: n / seconds, concurrency, mostAtOnce: counting.mostAtOnce(), ...costs(before, after, clientUs, n)};
}
