// The skeleton of every long-running command (source/commands/run-actors.ts)
// on real Redis, with its signals given by the test: a signal mid-start waits
// for the start and then stops every actor; a failed start still stops them
// all; the session is closed however the run ends.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import type {Redis} from 'ioredis';
import type {SignalWatch} from '../source/cli/shutdown.js';
import {runActors, type Actor} from '../source/commands/run-actors.js';
import {DeferredMaster} from '../source/deferred/master.js';
import {DeferredWorker} from '../source/deferred/worker.js';
import {keys} from '../source/redis/keys.js';
import type {RedisSession} from '../source/redis/session.js';
import {packageRoot} from './helpers/process.js';
import {startTestRedis, waitFor, within, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;

before(async () => {
	redis = await startTestRedis();
});

after(async () => {
	await redis.stop();
});

/** A signal the test sends. */
function testSignals(): SignalWatch & {send(): void} {
	let fired = false;
	let resolve: () => void = () => undefined;
	const received = new Promise<void>((r) => (resolve = r));
	return {
		received,
		get fired() {
			return fired;
		},
		send() {
			fired = true;
			resolve();
		},
	};
}

/** Every pending callback and promise job runs: what the run would do next without the test, it has done. */
const settle = async () => {
	for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

type Recorded = Actor & {release(): void};

/** An actor that logs what happens to it; its start waits for release() when `held`. */
function actor(name: string, log: string[], behaviour: {held?: boolean; startFails?: boolean; stopFails?: boolean} = {}): Recorded {
	let release: () => void = () => undefined;
	const gate = behaviour.held ? new Promise<void>((r) => (release = r)) : Promise.resolve();
	return {
		release: () => release(),
		async start() {
			log.push(`${name} start`);
			await gate;
			if (behaviour.startFails) throw new Error(`${name} cannot start`);
			log.push(`${name} started`);
		},
		async stop() {
			log.push(`${name} stop`);
			if (behaviour.stopFails) throw new Error(`${name} cannot stop`);
		},
	};
}

/** A client of the run's session, to see that the session was closed. */
function watchSession(): {client: () => Redis | undefined; track: (session: RedisSession) => void} {
	let client: Redis | undefined;
	return {client: () => client, track: (session) => (client = session.connect('eda:test:run-actors'))};
}

describe('runActors', () => {
	test('a signal mid-start: the start finishes first, then every actor stops, then the session closes', async () => {
		const log: string[] = [];
		const signals = testSignals();
		const slow = actor('slow', log, {held: true});
		const quick = actor('quick', log);
		const session = watchSession();
		const run = runActors({
			redisUrl: redis.url,
			signals,
			actors: (s) => {
				session.track(s);
				return [slow, quick];
			},
			whileRunning: () => void log.push('running'),
		});
		await waitFor(() => log.includes('slow start'), 'the slow start to begin');
		signals.send();
		await settle();
		// Stopping now would leave whatever the slow start does next running.
		assert.deepEqual(log, ['slow start', 'quick start', 'quick started']);
		slow.release();
		assert.equal(await run, 0);
		assert.deepEqual(log, ['slow start', 'quick start', 'quick started', 'slow started', 'slow stop', 'quick stop']);
		await waitFor(() => session.client()?.status === 'end', 'the session closed');
	});

	test('a start that never ends (Redis gone mid-start): after the grace the stop goes ahead anyway', async () => {
		const log: string[] = [];
		const signals = testSignals();
		const stuck = actor('stuck', log, {held: true});
		const session = watchSession();
		const run = runActors({
			redisUrl: redis.url,
			signals,
			startGraceMs: 200,
			actors: (s) => {
				session.track(s);
				return [stuck];
			},
		});
		await waitFor(() => log.includes('stuck start'), 'the start to begin');
		signals.send();
		assert.equal(await within(run, 10_000, 'the run to end while a start hangs'), 0);
		assert.deepEqual(log, ['stuck start', 'stuck stop']);
		await waitFor(() => session.client()?.status === 'end', 'the session closed');
	});

	test('the deferred master and worker, their Redis hung (SIGSTOP) right after the session opened: the signal ends the run, and nothing they start keeps going', async () => {
		const signals = testSignals();
		const output = {emit: () => undefined};
		let worker: DeferredWorker | undefined;
		let master: DeferredMaster | undefined;
		const run = runActors({
			redisUrl: redis.url,
			signals,
			startGraceMs: 300,
			actors: (session) => {
				// Hung before either start sends anything: every start waits on Redis.
				redis.pause();
				master = new DeferredMaster(session, output);
				worker = new DeferredWorker(session, output, {intervalMs: 0, concurrency: 2, leaseMs: 5000, maxAttempts: 2, backoffMs: 10});
				return [master, worker];
			},
		});
		try {
			await waitFor(() => worker !== undefined, 'the actors made');
			await new Promise((resolve) => setTimeout(resolve, 100));
			signals.send();
			// Before the grace, the run waited for the starts, that is for Redis to come back.
			assert.equal(await within(run, 15_000, 'the run to end while Redis is hung'), 0);
		} finally {
			redis.resume();
		}
		// The starts, failed by the stop's disconnects, left nothing going: once
		// Redis runs again no connection of theirs is there and no heartbeat comes.
		await waitFor(async () => (await redis.client.ping()) === 'PONG', 'Redis answering again');
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const clients = String(await redis.client.call('CLIENT', 'LIST')).split('\n').filter((line) => / name=eda:/.test(line));
		assert.deepEqual(clients, []);
		assert.deepEqual(await redis.client.zrange(keys.actors, 0, -1), []);
	});

	test('until the signal: whileRunning once all started, its undo before the stop', async () => {
		const log: string[] = [];
		const signals = testSignals();
		const run = runActors({
			redisUrl: redis.url,
			signals,
			actors: () => [actor('a', log), actor('b', log)],
			whileRunning: () => {
				log.push('running');
				return () => log.push('undo');
			},
		});
		await waitFor(() => log.includes('running'), 'the run to be running');
		signals.send();
		assert.equal(await run, 0);
		assert.deepEqual(log, ['a start', 'b start', 'a started', 'b started', 'running', 'undo', 'a stop', 'b stop']);
	});

	test("a failed start: its error is the run's, and every actor is still stopped", async () => {
		const log: string[] = [];
		const session = watchSession();
		const run = runActors({
			redisUrl: redis.url,
			signals: testSignals(),
			actors: (s) => {
				session.track(s);
				return [actor('ok', log), actor('bad', log, {startFails: true, stopFails: true})];
			},
			whileRunning: () => void log.push('running'),
		});
		await assert.rejects(run, /bad cannot start/);
		assert.deepEqual(log, ['ok start', 'bad start', 'ok started', 'ok stop', 'bad stop']);
		await waitFor(() => session.client()?.status === 'end', 'the session closed');
	});

	test('a failed stop is reported after every other actor stopped and the session closed', async () => {
		const log: string[] = [];
		const signals = testSignals();
		const session = watchSession();
		const run = runActors({
			redisUrl: redis.url,
			signals,
			actors: (s) => {
				session.track(s);
				return [actor('bad', log, {stopFails: true}), actor('ok', log)];
			},
		});
		await waitFor(() => log.includes('ok started'), 'the start');
		signals.send();
		await assert.rejects(run, /bad cannot stop/);
		assert.deepEqual(log.slice(-2), ['bad stop', 'ok stop']);
		await waitFor(() => session.client()?.status === 'end', 'the session closed');
	});

	test('a signal before the session opens: exit 0, no actor made', async () => {
		const signals = testSignals();
		signals.send();
		let made = false;
		const code = await runActors({
			redisUrl: redis.url,
			signals,
			actors: () => {
				made = true;
				return [];
			},
		});
		assert.equal(code, 0);
		assert.equal(made, false);
	});
});

test('no command keeps a copy of the skeleton: only run-actors.ts watches SIGINT/SIGTERM', () => {
	const dir = path.join(packageRoot, 'source', 'commands');
	const copies = readdirSync(dir)
		.filter((file) => file !== 'run-actors.ts' && /\.tsx?$/.test(file))
		.filter((file) => /\bwatchSignals\b|process\.(on|once)\('SIG(INT|TERM)'/.test(readFileSync(path.join(dir, file), 'utf8')));
	assert.deepEqual(copies, [], 'a long-running command goes through runActors (source/commands/run-actors.ts)');
});
