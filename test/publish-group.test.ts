// Group commit in publishEvents: publishes on one topic in the same turn of
// the event loop go to Redis as one script call; every caller gets its own ids,
// in order, and a failed call fails every caller in it (nothing half-stored).
import assert from 'node:assert/strict';
import {randomUUID} from 'node:crypto';
import {after, before, beforeEach, test} from 'node:test';
import {Redis} from 'ioredis';
import {closeRedis, createRedis, waitReady} from '../source/redis/connect.js';
import {keys} from '../source/redis/keys.js';
import {defaultSource, type OutgoingEvent} from '../source/topics/envelope.js';
import {maxBatchEvents, publishEvents} from '../source/topics/publish.js';
import {listTopics} from '../source/topics/list.js';
import {readSnapshot} from '../source/dashboard/feed/snapshot.js';
import {startTestRedis, topicCount, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let client: Redis;
before(async () => {
	redis = await startTestRedis();
	client = createRedis(redis.url, {offlineQueue: false});
	await waitReady(client, 5000);
});
after(async () => {
	await closeRedis(client);
	await redis.stop();
});
beforeEach(async () => {
	// Both scripts in Redis's cache first, so a call is one EVALSHA (no NOSCRIPT + EVAL pair to count).
	const warm = event('warm', '1');
	await publishEvents(client, 'warm', [warm, {...warm, envelope: {...warm.envelope, id: 'w2'}}]);
	await publishEvents(client, 'warm', [event('warm', '2', {source: '/w'})]);
	await redis.client.flushall();
	await redis.client.config('RESETSTAT');
});

function event(topic: string, data: string, extra: Partial<OutgoingEvent['envelope']> = {}, wire: string | Buffer = data): OutgoingEvent {
	return {wire, envelope: {specversion: '1.0', id: randomUUID(), source: defaultSource, type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data, ...extra}};
}

async function scriptCalls(): Promise<number> {
	const info = await redis.client.info('commandstats');
	return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0) + Number(/cmdstat_eval:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

async function entries(topic: string): Promise<Map<string, Record<string, string>>> {
	const rows = await redis.client.xrange(keys.stream(topic), '-', '+');
	return new Map(rows.map(([id, flat]) => [id, Object.fromEntries(flat.flatMap((_, i) => (i % 2 === 0 ? [[flat[i], flat[i + 1]]] : [])))]));
}

test('30 callers in one turn: one script call, each caller gets the ids of its own events, in order', async () => {
	const topic = 'group.many';
	const requests = Array.from({length: 30}, (_, r) => Array.from({length: (r % 3) + 1}, (_, i) => event(topic, JSON.stringify({r, i}))));
	const answers = await Promise.all(requests.map((events) => publishEvents(client, topic, events)));
	assert.equal(await scriptCalls(), 1, 'one round of Lua for the whole turn');
	const stored = await entries(topic);
	assert.equal(stored.size, requests.flat().length);
	requests.forEach((events, r) => {
		assert.equal(answers[r]?.length, events.length, `request ${r}: one id per event`);
		events.forEach((e, i) => {
			const entry = stored.get(answers[r]?.[i] as string);
			assert.equal(entry?.['data'], e.envelope.data, `request ${r} event ${i}: its id points at its own data`);
			assert.equal(entry?.['id'], e.envelope.id);
		});
	});
	const order = [...stored.values()].map((f) => f['data']);
	assert.deepEqual(order, requests.flat().map((e) => e.envelope.data), 'the stream keeps the order the callers came in');
	assert.equal(await topicCount(redis.client, topic), requests.flat().length);
});

test('callers with different attributes share a call and keep their own: source, content type, correlation, wire bytes', async () => {
	const topic = 'group.mixed';
	const plain = event(topic, '{"plain":1}');
	const traced = event(topic, '{"traced":1}', {source: '/billing', correlationid: 'c-1', causationid: 'k-1'});
	const text = event(topic, 'hello', {datacontenttype: 'text/plain'});
	const raw = event(topic, '{"spaced": 1}', {}, Buffer.from('{"spaced":   1}'));
	const [a, b, c, d] = await Promise.all([plain, traced, text, raw].map((e) => publishEvents(client, topic, [e])));
	const stored = await entries(topic);
	assert.deepEqual(
		{source: stored.get(a?.[0] as string)?.['source'], type: stored.get(a?.[0] as string)?.['datacontenttype'], corr: stored.get(a?.[0] as string)?.['correlationid']},
		{source: defaultSource, type: 'application/json', corr: undefined},
	);
	assert.equal(stored.get(b?.[0] as string)?.['source'], '/billing');
	assert.equal(stored.get(b?.[0] as string)?.['correlationid'], 'c-1');
	assert.equal(stored.get(b?.[0] as string)?.['causationid'], 'k-1');
	assert.equal(stored.get(c?.[0] as string)?.['datacontenttype'], 'text/plain');
	assert.equal(stored.get(d?.[0] as string)?.['data'], '{"spaced": 1}');
	assert.equal(await scriptCalls(), 1);
});

test('different topics in one turn are stored apart, one call each', async () => {
	const [x, y] = await Promise.all([publishEvents(client, 'group.x', [event('group.x', '1')]), publishEvents(client, 'group.y', [event('group.y', '2')])]);
	assert.equal((await entries('group.x')).get(x?.[0] as string)?.['data'], '1');
	assert.equal((await entries('group.y')).get(y?.[0] as string)?.['data'], '2');
	assert.equal(await scriptCalls(), 2);
});

test('large batches in one turn keep calls of their own (the short form), small ones between them share one; the stream keeps the order', async () => {
	const topic = 'group.batches';
	// One request's events share source and time, as the batch route makes them.
	const batch = (tag: string, n: number) => {
		const time = new Date().toISOString();
		return Array.from({length: n}, (_, i) => event(topic, JSON.stringify({tag, i}), {time}));
	};
	const requests = [batch('a', 150), [event(topic, '"s1"')], [event(topic, '"s2"')], batch('b', 120)];
	const answers = await Promise.all(requests.map((events) => publishEvents(client, topic, events)));
	assert.equal(await scriptCalls(), 3, 'a, then s1 + s2 together, then b');
	const stored = await entries(topic);
	requests.forEach((events, r) => {
		assert.equal(answers[r]?.length, events.length);
		events.forEach((e, i) => assert.equal(stored.get(answers[r]?.[i] as string)?.['id'], e.envelope.id, `request ${r} event ${i}`));
	});
	assert.deepEqual([...stored.values()].map((f) => f['data']), requests.flat().map((e) => e.envelope.data));
});

test('a group never grows past one batch: the overflow goes in its own call', async () => {
	const topic = 'group.big';
	const big = Array.from({length: maxBatchEvents}, (_, i) => event(topic, String(i)));
	const [first, second] = await Promise.all([publishEvents(client, topic, big), publishEvents(client, topic, [event(topic, 'after')])]);
	assert.equal(first?.length, maxBatchEvents);
	assert.equal(second?.length, 1);
	assert.equal(await scriptCalls(), 2);
	assert.equal((await entries(topic)).get(second?.[0] as string)?.['data'], 'after');
});

test('a group never grows past about a MiB of data: large events in one turn go in calls of their own', async () => {
	const topic = 'group.large';
	const big = (n: number) => event(topic, JSON.stringify({n, pad: 'x'.repeat(600 * 1024)}));
	const answers = await Promise.all([big(1), big(2), big(3)].map((e) => publishEvents(client, topic, [e])));
	assert.equal(await scriptCalls(), 3);
	const stored = await entries(topic);
	answers.forEach((ids, i) => assert.equal(JSON.parse(stored.get(ids[0] as string)?.['data'] ?? '{}').n, i + 1));
});

test('when Redis refuses the call, every caller in the group hears it and nothing is stored', async () => {
	const topic = 'group.refused';
	await redis.client.set(keys.stream(topic), 'not a stream');
	const results = await Promise.allSettled([1, 2, 3].map((n) => publishEvents(client, topic, [event(topic, String(n))])));
	assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
	for (const r of results) assert.match(String((r as PromiseRejectedResult).reason), /WRONGTYPE/);
	assert.equal(await redis.client.get(keys.stream(topic)), 'not a stream');
	assert.equal(await redis.client.hget(keys.topics, topic), null);
});

test('the dashboard refresh reads counts for at most 200 topics; the rest are listed without figures', async () => {
	const names = Array.from({length: 205}, (_, i) => `many.t${String(i).padStart(3, '0')}`);
	await Promise.all(names.map((name) => publishEvents(client, name, [event(name, '1')])));
	const snap = await readSnapshot(client, []);
	const ours = snap.topics.filter((t) => t.name.startsWith('many.'));
	assert.equal(ours.length, names.length, 'every indexed topic is listed');
	assert.equal(ours.filter((t) => t.stored === 1).length, 200);
	assert.deepEqual(
		ours.filter((t) => t.stored === undefined).map((t) => t.name).sort(),
		names.slice(200),
		'the figures go to the first topics in name order, the order the pane lists them',
	);
	// GET /topics is asked for, not refreshed: it has every count.
	assert.equal((await listTopics(client)).filter((t) => t.topic.startsWith('many.') && t.count === 1).length, names.length);
});

test('a restarted Redis that lost its data lists a topic again at its next publish on the same connection', async () => {
	// The index is written once per topic and connection (topic-index.ts); a reconnect starts that over.
	const topic = 'index.again';
	await publishEvents(client, topic, [event(topic, '1')]);
	assert.equal(await topicCount(redis.client, topic), 1);
	await redis.kill();
	await redis.restart();
	await waitFor(async () => client.status === 'ready' && (await client.ping()) === 'PONG', 'the client back on the empty Redis');
	assert.equal(await topicCount(redis.client, topic), undefined, 'nothing survived the restart (no append-only file)');
	await publishEvents(client, topic, [event(topic, '2')]);
	assert.equal(await topicCount(redis.client, topic), 1);
});

test('a topic whose stream was flushed while the producer ran is listed again at its next publish', async () => {
	// FLUSHALL (or a DEL of the stream) keeps the connection, so the per-connection
	// set of indexed topics still holds the topic: the script's new stream must relist it.
	for (const [topic, batch] of [['index.flushed', 1], ['index.flushed.batch', 2]] as const) {
		const events = () => Array.from({length: batch}, (_, i) => event(topic, String(i)));
		await publishEvents(client, topic, events());
		assert.equal(await topicCount(redis.client, topic), batch);
		await redis.client.flushall();
		await publishEvents(client, topic, events());
		assert.equal(await topicCount(redis.client, topic), batch, `${topic} listed after the flush`);
	}
});
