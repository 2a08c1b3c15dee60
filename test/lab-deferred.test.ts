import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {listActors} from '../source/actors/heartbeat.js';
import {DeferredLab} from '../source/labs/deferred/lab.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {memoryOutput} from './helpers/output.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;
let lab: DeferredLab;
const output = memoryOutput();
const {lines} = output;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
	lab = new DeferredLab({session, output, port: 0, burst: 6, firstDelayMs: 300, spreadMs: 300, slowIntervalMs: 2000, fastWorkers: 4});
	await lab.start();
});

after(async () => {
	await lab.stop();
	await session.close();
	await redis.stop();
});

test('a burst waits in the schedule with countdowns, then one slow worker takes one', async () => {
	const first = await lab.snapshot();
	assert.equal(first.mode, 'slow');
	assert.equal(first.workers.length, 1);
	assert.equal(first.bursts[0]?.size, 6);
	// Each task was stored through POST /deferred-exec and has a due time.
	assert.equal(first.counts.scheduled + first.counts.ready + first.counts.inflight + (first.bursts[0]?.done ?? 0), 6);
	await waitFor(async () => (await lab.snapshot()).counts.scheduled === 0, 'every task to fall due');
	await waitFor(async () => ((await lab.snapshot()).bursts[0]?.done ?? 0) >= 1, 'the slow worker to take a task');
	const slow = await lab.snapshot();
	// One task per 2 s: the rest waits in message:queue.
	assert.ok(slow.counts.ready >= 1, `ready ${slow.counts.ready}`);
	assert.equal(slow.counts.ready + slow.counts.inflight + (slow.bursts[0]?.done ?? 0), 6);
});

test('four fast workers drain the rest, and the next burst', async () => {
	await lab.setMode('fast');
	await waitFor(async () => (await lab.snapshot()).bursts[0]?.done === 6, 'the first burst to drain');
	const second = await lab.burst();
	assert.equal(second.mode, 'fast');
	await waitFor(async () => (await lab.snapshot()).bursts[1]?.drainMs !== undefined, 'the second burst to drain');
	const snap = await lab.snapshot();
	assert.equal(snap.workers.length, 4);
	assert.deepEqual(snap.counts, {scheduled: 0, ready: 0, inflight: 0, dead: 0});
	assert.ok(lines.some((line) => line.startsWith('Burst 2 drained')));
});

test("GET / lists the lab's routes (the producer's deferred ones) with a ready curl line on the real port", async () => {
	const text = await (await fetch(`${lab.url}/`)).text();
	assert.ok(text.startsWith('The deferred lab:'), text);
	assert.ok(text.includes(`curl -X POST -H "Content-Type: application/json" -d '{"lab": "deferred", "task": "mine"}' '${lab.url}/deferred-exec?delay=10s'`), text);
	assert.ok(text.includes('GET /deferred/<id>'), text);
});

test('stopping leaves no heartbeat and no task in flight', async () => {
	await lab.burst();
	await lab.stop();
	assert.deepEqual((await listActors(redis.client)).map((a) => `${a.name} ${a.detail}`), []);
	assert.equal(await redis.client.zcard(keys.deferred.inflight), 0);
});
