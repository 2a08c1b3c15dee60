// A Redis crash (SIGKILL) and restart with AOF in the middle of a run: every
// event accepted before, during or after is processed; the actors reconnect by
// themselves and nothing crashes.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {DeferredMaster} from '../source/deferred/master.js';
import {DeferredStore} from '../source/deferred/store.js';
import {DeferredWorker} from '../source/deferred/worker.js';
import type {Redis} from 'ioredis';
import {createRedis, waitReady} from '../source/redis/connect.js';
import {keys} from '../source/redis/keys.js';
import type {RedisSession} from '../source/redis/session.js';
import {memoryOutput} from './helpers/output.js';
import {session, startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let sessions: RedisSession[] = [];

before(async () => {
	redis = await startTestRedis({appendOnly: true});
});

after(async () => {
	await Promise.all(sessions.map((s) => s.close()));
	await redis.stop();
});

test('a Redis restart with AOF during a run loses no accepted event', async () => {
	sessions = [await session(redis.url), await session(redis.url)];
	const output = memoryOutput();
	const master = new DeferredMaster(sessions[0]!, output);
	const worker = new DeferredWorker(sessions[1]!, output, {intervalMs: 0, concurrency: 8, leaseMs: 1000, maxAttempts: 5, backoffMs: 100, workTimeMs: 5});
	await master.start();
	await worker.start();

	// The producer's client fails fast while Redis is down, as the API's does (503).
	const producer = createRedis(redis.url, {offlineQueue: false});
	await waitReady(producer, 5000);
	try {
		await run(producer, output);
	} finally {
		await worker.stop();
		await master.stop();
		producer.disconnect();
	}
});

async function run(producer: Redis, output: ReturnType<typeof memoryOutput>): Promise<void> {
	const store = new DeferredStore(producer);
	const accepted: string[] = [];
	let refused = 0;
	const produce = async (count: number) => {
		for (let i = 0; i < count; i++) {
			try {
				const {id} = await store.enqueue(JSON.stringify({n: accepted.length + refused}), (i % 20) * 50);
				accepted.push(id);
			} catch {
				refused++;
			}
			await new Promise((r) => setTimeout(r, 2));
		}
	};
	await produce(300);
	await redis.kill();
	await produce(50); // refused while down: never counted as accepted
	await redis.restart();
	await waitFor(async () => (await redis.client.ping()) === 'PONG', 'Redis back');
	await waitFor(() => producer.status === 'ready', 'the producer reconnected', 20_000);
	await produce(300);

	await waitFor(async () => {
		const pipeline = redis.client.pipeline();
		for (const id of accepted) pipeline.hget(keys.deferred.event(id), 'state');
		const states = ((await pipeline.exec()) ?? []).map(([, state]) => state);
		return states.every((s) => s === 'done');
	}, `all ${accepted.length} accepted events done`, 60_000);
	assert.ok(accepted.length >= 600, `accepted ${accepted.length}`);
	assert.ok(refused > 0, 'some were refused while Redis was down');
	assert.ok(output.lines.some((l) => l.startsWith('Redis connection lost')), 'the actors said Redis went away');
}
