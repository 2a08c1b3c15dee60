// Redis crashes and comes back under a running producer and running consumers:
// the producer answers 503 (never 200) while it is down and 200 once it is
// back; consumers of every kind carry on; nothing crashes. Each test starts
// its own Redis, producer and consumers and crashes them itself, so any one
// runs alone.
import assert from 'node:assert/strict';
import {test, type TestContext} from 'node:test';
import type {RunningProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {postEvent, request} from './helpers/http.js';
import {spawnCli, stackTrace, type CliProcess} from './helpers/process.js';
import {startProducerFixture} from './helpers/producer.js';
import {topicCount, waitFor, type TestRedis} from './helpers/redis.js';

type Scene = {
	redis: TestRedis;
	producer: RunningProducer;
	live: CliProcess;
	group: CliProcess;
	follower: CliProcess;
	consumers: CliProcess[];
};

const dataLines = (proc: CliProcess) => proc.lines().filter((line) => line.startsWith('Event data: ')).map((line) => line.slice('Event data: '.length));

/** A private Redis (append-only), a producer and one consumer of each kind, all ready; ended after the test. */
async function startScene(t: TestContext): Promise<Scene> {
	// With an append-only file, what was stored before the crash is there after it.
	const fixture = await startProducerFixture({appendOnly: true});
	const {redis, producer} = fixture;
	const live = spawnCli(['consumer', '--redis-url', redis.url, '-t', 'rs.live']);
	const group = spawnCli(['consumer', '--redis-url', redis.url, '-t', 'rs.group', '--group', 'rg']);
	const follower = spawnCli(['consumer', '--redis-url', redis.url, '-t', 'rs.follow', '--from-start']);
	const consumers = [live, group, follower];
	t.after(async () => {
		await Promise.all(consumers.map((proc) => proc.kill()));
		await fixture.stop();
	});
	await Promise.all([live.waitForLine('Consumer subscribed'), group.waitForLine('Reading the durable stream'), follower.waitForLine('Replaying')]);
	return {redis, producer, live, group, follower, consumers};
}

async function postOk(producer: RunningProducer, topic: string, body: string): Promise<void> {
	const reply = await postEvent(producer.url, topic, body);
	assert.equal(reply.status, 200, reply.text);
}

/** One event to each consumer, each printed. */
async function eventsBefore({producer, live, group, follower}: Scene): Promise<void> {
	await postOk(producer, 'rs.live', '"live before"');
	await postOk(producer, 'rs.group', '"group before"');
	await postOk(producer, 'rs.follow', '"follow before"');
	await live.waitUntil(() => dataLines(live).includes('"live before"'), 'the live consumer printed it');
	await group.waitUntil(() => dataLines(group).includes('"group before"'), 'the group member printed it');
	await follower.waitUntil(() => dataLines(follower).includes('"follow before"'), 'the follower printed it');
}

/**
 * Kills Redis; resolves once every consumer has told the user its connection
 * is lost. Call eventsBefore first: a consumer says "lost" only for a
 * connection that was up, and an event printed is what shows it was (the
 * follower says "Replaying" before its connection is ready).
 */
async function crash({redis, consumers}: Scene): Promise<void> {
	await redis.kill();
	for (const proc of consumers) await proc.waitForLine(/^Redis connection lost\b.*; reconnecting$/, `pid ${proc.pid} to say the connection is lost`);
}

/** Starts Redis again; resolves once the producer is connected again. */
async function comeBack({redis, producer}: Scene): Promise<void> {
	await redis.restart();
	await waitFor(async () => (await request(producer.url, '/healthz')).status === 200, 'the producer connected again', 20_000);
}

test('before the crash: every consumer gets its event', async (t) => {
	await eventsBefore(await startScene(t));
});

test('Redis down: 503 for events, batches, /topics and /healthz, never 200', async (t) => {
	const scene = await startScene(t);
	const {producer} = scene;
	await eventsBefore(scene);
	// Every consumer tells the user its connection is lost (once).
	await crash(scene);
	const health = await request(producer.url, '/healthz');
	assert.equal(health.status, 503);
	assert.equal(health.json()['redis'], 'down');
	for (let i = 0; i < 3; i++) {
		const reply = await postEvent(producer.url, 'rs.down', `{"lost":${i}}`);
		assert.equal(reply.status, 503, reply.text);
		assert.match(String(reply.json()['error']), /not stored/);
	}
	const batch = await request(producer.url, '/topics/rs.down/batch', {body: '[1,2]', contentType: 'application/json'});
	assert.equal(batch.status, 503);
	assert.equal((await request(producer.url, '/topics')).status, 503);
});

test('Redis back: 503 until the producer has reconnected, then 200; only the 200s are stored', async (t) => {
	const scene = await startScene(t);
	const {redis, producer} = scene;
	await eventsBefore(scene);
	await crash(scene);
	for (let i = 0; i < 3; i++) assert.equal((await postEvent(producer.url, 'rs.down', `{"lost":${i}}`)).status, 503);
	await redis.restart();
	const statuses: number[] = [];
	await waitFor(async () => {
		const reply = await postEvent(producer.url, 'rs.down', '{"after":"restart"}');
		statuses.push(reply.status);
		return reply.status !== 503;
	}, 'an answer other than 503 after the restart', 20_000);
	assert.equal(statuses.at(-1), 200, `answers after the restart: ${statuses.join(' ')}`);
	assert.ok(statuses.slice(0, -1).every((status) => status === 503), `answers after the restart: ${statuses.join(' ')}`);
	assert.equal(await redis.client.xlen(keys.stream('rs.down')), 1, 'the events answered 503 were not stored');
	assert.equal(await topicCount(redis.client, 'rs.down'), 1);
	assert.equal(await redis.client.xlen(keys.stream('rs.group')), 1, 'what was stored before the crash survived');
	assert.equal((await request(producer.url, '/healthz')).status, 200);
});

test('consumers say the connection is back, after saying it was lost, once each', async (t) => {
	const scene = await startScene(t);
	await eventsBefore(scene);
	await crash(scene);
	await comeBack(scene);
	for (const proc of scene.consumers) {
		await proc.waitForLine('Redis connection back', `pid ${proc.pid} to say the connection is back`, 20_000);
		const lines = proc.lines();
		const lost = lines.filter((line) => line.startsWith('Redis connection lost'));
		assert.equal(lost.length, 1, `one "lost" line: ${proc.stdout()}`);
		assert.equal(lines.filter((line) => line === 'Redis connection back').length, 1, proc.stdout());
		assert.ok(lines.indexOf(lost[0] ?? '') < lines.indexOf('Redis connection back'), proc.stdout());
	}
});

test('consumers carry on after the restart: live, group and from-start all get new events', async (t) => {
	const scene = await startScene(t);
	const {redis, producer, live, group, follower} = scene;
	await eventsBefore(scene);
	await crash(scene);
	await comeBack(scene);
	// The live consumer subscribes again by itself once it has reconnected.
	await waitFor(async () => {
		const [, count] = (await redis.client.pubsub('NUMSUB', 'rs.live')) as [string, number];
		return Number(count) >= 1;
	}, 'the live consumer subscribed again', 20_000);
	await postOk(producer, 'rs.live', '"live after"');
	await postOk(producer, 'rs.group', '"group after"');
	await postOk(producer, 'rs.follow', '"follow after"');
	await live.waitUntil(() => dataLines(live).includes('"live after"'), 'the live consumer printed the event after the restart');
	await group.waitUntil(() => dataLines(group).includes('"group after"'), 'the group member printed the event after the restart');
	await follower.waitUntil(() => dataLines(follower).includes('"follow after"'), 'the follower printed the event after the restart');
	assert.deepEqual(dataLines(group), ['"group before"', '"group after"'], 'no repeat, no loss in the group');
	assert.deepEqual(dataLines(follower), ['"follow before"', '"follow after"'], 'no repeat, no loss in the follower');
	for (const proc of [live, group, follower]) {
		assert.equal(proc.exitedYet(), undefined, 'still running');
		assert.doesNotMatch(proc.stderr() + proc.stdout(), stackTrace);
	}
	for (const proc of [live, group, follower]) proc.signal('SIGTERM');
	for (const proc of [live, group, follower]) assert.deepEqual(await proc.exited, {code: 0, signal: null});
});
