// GroupConsumer in process, on a private Redis. Members keep the entries they
// hold fresh: with a short claim-idle and a slow handler, a live member's
// entries are never taken over by another member, so each entry is handled
// once. A group that creates a topic's stream also lists the topic.
import assert from 'node:assert/strict';
import {randomUUID} from 'node:crypto';
import {after, before, test} from 'node:test';
import {GroupConsumer} from '../source/actors/group-consumer.js';
import type {ActorOutput} from '../source/actors/output.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import type {OutgoingEvent} from '../source/topics/envelope.js';
import {publishEvents} from '../source/topics/publish.js';
import {listTopics} from '../source/topics/list.js';
import {memoryOutput} from './helpers/output.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => {}});
});

after(async () => {
	await session.close();
	await redis.stop();
});

function event(topic: string, data: string): OutgoingEvent {
	return {
		wire: data,
		envelope: {specversion: '1.0', id: randomUUID(), source: 'test', type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data},
	};
}

test('two members, claim-idle 600 ms, a handler of ~1.5 s an entry: each entry handled exactly once', async () => {
	const topic = 'slow.group';
	const group = 'slow';
	const handled: Array<{member: string; entry: string}> = [];
	const output = memoryOutput();
	const said = output.lines;
	const member = (name: string) => new GroupConsumer({
		session,
		topic,
		group,
		output,
		consumer: name,
		claimIdleMs: 600,
		quiet: true,
		handler: async (_envelope, entry) => {
			handled.push({member: name, entry});
			await new Promise((resolve) => setTimeout(resolve, 1500));
		},
	});
	const members = [member('m1'), member('m2')];
	for (const m of members) await m.start();
	try {
		const ids = await publishEvents(redis.client, topic, Array.from({length: 6}, (_, i) => event(topic, `{"slow":${i}}`)));
		assert.equal(ids.length, 6);
		const stream = keys.stream(topic);
		await waitFor(async () => {
			if (!ids.every((id) => handled.some((h) => h.entry === id))) return false;
			const [pending] = (await redis.client.xpending(stream, group)) as [number];
			return pending === 0;
		}, 'all six handled and acknowledged', 30_000);
		const entries = handled.map((h) => h.entry);
		assert.deepEqual([...entries].sort(), [...ids].sort(), `handled: ${JSON.stringify(handled)}`);
		assert.equal(new Set(entries).size, entries.length, `no entry handled twice: ${JSON.stringify(handled)}`);
		assert.deepEqual(said.filter((line) => /Handler failed|Redis/.test(line)), []);
	} finally {
		await Promise.all(members.map((m) => m.stop()));
	}
});

test('a topic whose stream a group created before any publish is listed once events come', async () => {
	const topic = 'group.first';
	const member = new GroupConsumer({session, topic, group: 'early', output: {emit: () => undefined}, consumer: 'c1', quiet: true, handler: async () => undefined});
	await member.start();
	try {
		assert.equal(await redis.client.exists(keys.stream(topic)), 1, 'XGROUP CREATE … MKSTREAM made the stream');
		await publishEvents(redis.client, topic, [event(topic, '{"n":1}'), event(topic, '{"n":2}')]);
		const listed = (await listTopics(redis.client)).find((t) => t.topic === topic);
		assert.deepEqual(listed && {count: listed.count, retained: listed.retained}, {count: 2, retained: 2});
	} finally {
		await member.stop();
	}
});

test('a group that makes its stream again after a FLUSHALL lists its topic again', async () => {
	// The member's connection stays up through the flush, so its per-connection
	// index set still holds the topic; the publisher's does too, and finds the stream there.
	const topic = 'group.flushed';
	const output: ActorOutput = {emit: () => undefined};
	const member = new GroupConsumer({session, topic, group: 'again', output, consumer: 'c1', quiet: true, handler: async () => undefined});
	await member.start();
	try {
		await publishEvents(redis.client, topic, [event(topic, '{"n":1}')]);
		assert.ok((await listTopics(redis.client)).some((t) => t.topic === topic));
		await redis.client.flushall();
		await waitFor(async () => (await redis.client.exists(keys.stream(topic))) === 1, 'the member made its group and stream again');
		await publishEvents(redis.client, topic, [event(topic, '{"n":2}')]);
		await waitFor(async () => (await listTopics(redis.client)).some((t) => t.topic === topic), 'the topic listed again');
	} finally {
		await member.stop();
	}
});
