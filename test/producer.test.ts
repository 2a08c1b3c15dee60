// The HTTP producer in-process, on a private Redis: routes, what is stored and
// published for each kind of body, and every bad input leaving nothing behind.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {listActors} from '../source/actors/heartbeat.js';
import {defaultMaxBody, startProducer, type RunningProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {maxBatchEvents} from '../source/topics/publish.js';
import {postEvent, request} from './helpers/http.js';
import {memoryOutput} from './helpers/output.js';
import {startTestRedis, topicCount, waitFor, type TestRedis} from './helpers/redis.js';

const maxBody = 4096;
let redis: TestRedis;
let session: RedisSession;
let producer: RunningProducer;
let small: RunningProducer;
/** Default --max-body and --retain: room for the largest batches. */
let roomy: RunningProducer;
let subscriber: Redis;
/** Every PUBLISH seen by a raw SUBSCRIBE client, per channel, as bytes. */
const published = new Map<string, Buffer[]>();
const said: string[] = [];
const output = memoryOutput();
const {lines} = output;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: (line) => said.push(line)});
	producer = await startProducer({session, output, port: 0, maxBody});
	small = await startProducer({session, output, port: 0, retain: 10});
	roomy = await startProducer({session, output, port: 0});
	for (const running of [producer, small, roomy]) {
		await waitFor(async () => (await request(running.url, '/healthz')).status === 200, 'the producer connected to Redis');
	}
	subscriber = new Redis(redis.url);
	subscriber.on('pmessageBuffer', (_pattern: Buffer, channel: Buffer, message: Buffer) => {
		const name = channel.toString('utf8');
		published.set(name, [...(published.get(name) ?? []), message]);
	});
	await subscriber.psubscribe('*');
});

after(async () => {
	subscriber.disconnect();
	await producer.close();
	await small.close();
	await roomy.close();
	await session.close();
	await redis.stop();
});

type Fields = Record<string, string>;

async function entries(topic: string): Promise<Array<{id: string; fields: Fields}>> {
	const raw = await redis.client.xrange(keys.stream(topic), '-', '+');
	return raw.map(([id, flat]) => {
		const fields: Fields = {};
		for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
		return {id, fields};
	});
}

async function onlyEntry(topic: string): Promise<Fields> {
	const all = await entries(topic);
	assert.equal(all.length, 1, `one entry in ${topic}'s stream`);
	return all[0]?.fields ?? {};
}

function messages(topic: string): Promise<Buffer[]> {
	return waitFor(() => published.get(topic), `a PUBLISH on ${topic}`);
}

/**
 * Proves that nothing of `topic` reached Redis before: a good event posted now
 * is the first and only PUBLISH on the channel (pub/sub keeps order), the only
 * stream entry, and the topic's count is 1.
 */
async function assertNothingStoredBefore(topic: string): Promise<void> {
	const sentinel = `sentinel for ${topic}`;
	const reply = await postEvent(producer.url, topic, sentinel, 'text/plain');
	assert.equal(reply.status, 200, reply.text);
	const seen = await messages(topic);
	assert.equal(seen[0]?.toString('utf8'), sentinel, 'the first PUBLISH on the channel is the good event');
	const stored = await entries(topic);
	assert.deepEqual(stored.map((e) => e.fields['data']), [sentinel]);
	assert.equal(await topicCount(redis.client, topic), 1);
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('routes', () => {
	test('GET / answers usage text', async () => {
		const reply = await request(producer.url, '/');
		assert.equal(reply.status, 200);
		assert.match(String(reply.headers['content-type']), /^text\/plain/);
		assert.match(reply.text, /POST/);
		assert.match(reply.text, /\/topics\//);
	});

	test('POST /topics/:topic → 200 {"message":"message published"}', async () => {
		const reply = await postEvent(producer.url, 'orderCreated', '{"order_id": 123}');
		assert.equal(reply.status, 200);
		assert.match(String(reply.headers['content-type']), /^application\/json/);
		assert.equal(reply.json()['message'], 'message published');
		assert.equal((await onlyEntry('orderCreated'))['data'], '{"order_id": 123}');
	});

	test('POST /topics/master → 400 {"error":"master is a reserved topic"}, nothing published', async () => {
		const reply = await postEvent(producer.url, 'master', '{"a":1}');
		assert.equal(reply.status, 400);
		assert.deepEqual(reply.json(), {error: 'master is a reserved topic'});
		assert.equal(await redis.client.exists(keys.stream('master')), 0);
		assert.equal(await redis.client.hget(keys.topics, 'master'), null);
		// Pub/sub keeps order on one connection: once a later event has arrived,
		// a PUBLISH on master would have arrived before it.
		assert.equal((await postEvent(producer.url, 'after.master', '{}')).status, 200);
		await messages('after.master');
		assert.equal(published.get('master'), undefined);
	});

	test("eda's and Redis's own channels are reserved topics: 400 naming the prefix, nothing published or stored", async () => {
		const cases = [
			{topic: 'eda:deferred:ready', error: "eda:deferred:ready is a reserved topic: names starting with eda: are eda's own channels"},
			{topic: 'eda:deferred:scheduled', error: "eda:deferred:scheduled is a reserved topic: names starting with eda: are eda's own channels"},
			{topic: '__redis__:invalidate', error: "__redis__:invalidate is a reserved topic: names starting with __redis__ are Redis's own channels"},
			{topic: '__sentinel__:hello', error: "__sentinel__:hello is a reserved topic: names starting with __sentinel__ are Redis Sentinel's own channels"},
		];
		for (const {topic, error} of cases) {
			const single = await postEvent(producer.url, topic, '{"a":1}');
			assert.equal(single.status, 400, topic);
			assert.deepEqual(single.json(), {error});
			const batch = await request(producer.url, `/topics/${topic}/batch`, {method: 'POST', body: '[{"a":1}]', contentType: 'application/json'});
			assert.equal(batch.status, 400, `${topic} batch`);
			assert.deepEqual(batch.json(), {error});
			assert.equal(await redis.client.exists(keys.stream(topic)), 0);
			assert.equal(await redis.client.hget(keys.topics, topic), null);
		}
		// A later event on the same connection arrives after any PUBLISH the refused ones made.
		assert.equal((await postEvent(producer.url, 'after.reserved', '{}')).status, 200);
		await messages('after.reserved');
		for (const {topic} of cases) assert.equal(published.get(topic), undefined, `nothing published on ${topic}`);
		// Names that only contain the words are topics like any other.
		assert.equal((await postEvent(producer.url, 'my.eda:thing', '{}')).status, 200);
	});

	test('POST /deferred-exec → 200 with id and due; the record is in Redis', async () => {
		const reply = await request(producer.url, '/deferred-exec?delay=1h', {method: 'POST', body: '{"job":1}', contentType: 'application/json'});
		assert.equal(reply.status, 200, reply.text);
		const answer = reply.json();
		assert.equal(answer['message'], 'message published');
		assert.match(String(answer['id']), /^\d+$/);
		assert.equal(typeof answer['due'], 'number');
		const record = await redis.client.hgetall(keys.deferred.event(String(answer['id'])));
		assert.equal(record['body'], '{"job":1}', `the stored record: ${JSON.stringify(record)}`);
		assert.equal(Number(record['due']), answer['due']);
		assert.equal(await redis.client.zscore(keys.deferred.scheduled, String(answer['id'])), String(answer['due']));
	});

	test('a request as soon as startProducer resolves is stored, not refused (it waits for its Redis client)', async () => {
		const fresh = await startProducer({session, output, port: 0});
		try {
			const reply = await postEvent(fresh.url, 'ready.at.once', '{"first":true}');
			assert.equal(reply.status, 200, reply.text);
			assert.equal((await onlyEntry('ready.at.once'))['data'], '{"first":true}');
		} finally {
			await fresh.close();
		}
	});

	test('an unknown route is a JSON 404', async () => {
		const reply = await request(producer.url, '/nope');
		assert.equal(reply.status, 404);
		assert.equal(typeof reply.json()['error'], 'string');
	});

	test('GET /healthz says Redis is up, as JSON', async () => {
		const reply = await request(producer.url, '/healthz');
		assert.equal(reply.status, 200);
		const body = reply.json();
		assert.equal(body['status'], 'ok');
		assert.equal(body['redis'], 'up');
	});

	test('GET /topics is paged: 200 by default, ?limit= up to 1,000, ?after= continues, next while more follow', async () => {
		// 1,010 topics, each with one event, written as the producer writes them (stream + index).
		const names = Array.from({length: 1010}, (_, i) => `page.t${String(i).padStart(4, '0')}`);
		const pipeline = redis.client.pipeline();
		for (const name of names) {
			pipeline.xadd(keys.stream(name), '*', 'data', '{}');
			pipeline.hsetnx(keys.topics, name, '1');
		}
		await pipeline.exec();
		type Page = {topics: Array<{topic: string; count: number; retained: number}>; next?: string};
		const get = async (query: string): Promise<Page> => {
			const reply = await request(producer.url, `/topics${query}`);
			assert.equal(reply.status, 200, reply.text);
			return reply.json() as Page;
		};
		const first = await get('?after=page.');
		assert.equal(first.topics.length, 200, 'the default page');
		assert.deepEqual(first.topics.map((t) => t.topic), names.slice(0, 200));
		assert.equal(first.next, 'page.t0199');
		assert.ok(first.topics.every((t) => t.count === 1 && t.retained === 1), 'figures for every topic of the page');
		const big = await get('?after=page.&limit=1000');
		assert.equal(big.topics.length, 1000, 'at most 1,000');
		assert.equal(big.next, 'page.t0999');
		const last = await get(`?after=${big.next}&limit=1000`);
		assert.deepEqual(last.topics.map((t) => t.topic).filter((t) => t.startsWith('page.')), names.slice(1000));
		assert.equal(last.next, undefined, 'no next on the last page');
		// Walking every page from the start lists each topic once, in name order.
		const seen: string[] = [];
		let after = '';
		for (let page = 0; page < 20; page++) {
			const got = await get(`?limit=300${after ? `&after=${after}` : ''}`);
			assert.ok(got.topics.length <= 300);
			seen.push(...got.topics.map((t) => t.topic));
			if (got.next === undefined) break;
			after = got.next;
		}
		assert.deepEqual(seen, [...seen].sort());
		assert.equal(new Set(seen).size, seen.length);
		assert.deepEqual(seen.filter((t) => t.startsWith('page.')), names);
	});

	test('GET /topics with a bad limit or after → 400 naming it', async () => {
		for (const limit of ['0', '1001', 'abc', '-1', '1.5', '', '99999999999']) {
			const reply = await request(producer.url, `/topics?limit=${limit}`);
			assert.equal(reply.status, 400, `limit=${limit}`);
			assert.equal(reply.json()['error'], `limit "${limit}" is not a whole number from 1 to 1000`);
		}
		const long = await request(producer.url, `/topics?after=${'a'.repeat(201)}`);
		assert.equal(long.status, 400);
		assert.match(String(long.json()['error']), /^after: a topic name is at most 200 characters/);
	});

	test('GET /topics lists known topics with counts', async () => {
		for (let i = 0; i < 2; i++) assert.equal((await postEvent(producer.url, 'count.a', `{"i":${i}}`)).status, 200);
		const batch = await request(producer.url, '/topics/count.b/batch', {body: '[1,2,3]', contentType: 'application/json'});
		assert.equal(batch.status, 200);
		const reply = await request(producer.url, '/topics');
		assert.equal(reply.status, 200);
		const topics = reply.json()['topics'] as Array<{topic: string; count: number; retained: number; lastAt: number}>;
		const a = topics.find((t) => t.topic === 'count.a');
		const b = topics.find((t) => t.topic === 'count.b');
		assert.deepEqual([a?.count, a?.retained], [2, 2]);
		assert.deepEqual([b?.count, b?.retained], [3, 3]);
		assert.ok((a?.lastAt ?? 0) > 0);
		assert.equal(topics.find((t) => t.topic === 'never.posted'), undefined);
	});
});

describe("the Go tool's view: PUBLISH <topic> <body> byte for byte", () => {
	test('JSON with odd spacing, a trailing newline and unicode', async () => {
		const body = '{ "a" :  1 ,\t"b":"héllo ✓ 🚀 日本" ,"c" : [ 1,2 ] }\n';
		assert.equal((await postEvent(producer.url, 'wire.json', body)).status, 200);
		const [message] = await messages('wire.json');
		assert.ok(message?.equals(Buffer.from(body, 'utf8')), `got ${JSON.stringify(message?.toString())}`);
		assert.equal((await onlyEntry('wire.json'))['data'], body);
	});

	test('text/plain with unicode, as posted', async () => {
		const body = '  plain   text — ünïcödé 🚀  ';
		assert.equal((await postEvent(producer.url, 'wire.text', body, 'text/plain; charset=utf-8')).status, 200);
		const [message] = await messages('wire.text');
		assert.ok(message?.equals(Buffer.from(body, 'utf8')));
	});

	test('a CloudEvents structured body is published whole', async () => {
		const body = '{"specversion":"1.0", "id":"w-1","source":"/w","type":"x","data":{"k": "v"}}';
		assert.equal((await postEvent(producer.url, 'wire.ce', body, 'application/cloudevents+json')).status, 200);
		const [message] = await messages('wire.ce');
		assert.equal(message?.toString('utf8'), body);
	});

	test('no Content-Type is taken as JSON and published as posted', async () => {
		const body = '{"curl":  true}';
		assert.equal((await postEvent(producer.url, 'wire.none', body, null)).status, 200);
		const [message] = await messages('wire.none');
		assert.equal(message?.toString('utf8'), body);
	});
});

describe('the stream envelope', () => {
	test('CloudEvents attributes, with correlation and causation from X- headers', async () => {
		const reply = await postEvent(producer.url, 'env.plain', '{"n":1}', 'application/json', {'X-Correlation-Id': 'corr-42', 'X-Causation-Id': 'cause-7'});
		assert.equal(reply.status, 200);
		const fields = await onlyEntry('env.plain');
		assert.equal(fields['specversion'], '1.0');
		assert.match(fields['id'] ?? '', uuid);
		assert.equal(fields['id'], reply.json()['id'], 'the answer names the stored id');
		assert.equal(fields['source'], 'eda/api-server');
		assert.equal(fields['type'], 'env.plain');
		assert.equal(new Date(fields['time'] ?? '').toISOString(), fields['time']);
		assert.equal(fields['datacontenttype'], 'application/json');
		assert.equal(fields['data'], '{"n":1}');
		assert.equal(fields['correlationid'], 'corr-42');
		assert.equal(fields['causationid'], 'cause-7');
	});

	test('ce-* headers set id, source, correlation and causation (binary mode)', async () => {
		const reply = await postEvent(producer.url, 'env.ce-headers', '{"n":2}', 'application/json', {
			'ce-id': 'my-id-1',
			'ce-source': '/shop/orders',
			'ce-correlationid': 'ce-corr',
			'ce-causationid': 'ce-cause',
			'X-Correlation-Id': 'loses',
		});
		assert.equal(reply.status, 200);
		const fields = await onlyEntry('env.ce-headers');
		assert.equal(fields['id'], 'my-id-1');
		assert.equal(fields['source'], '/shop/orders');
		assert.equal(fields['correlationid'], 'ce-corr');
		assert.equal(fields['causationid'], 'ce-cause');
		assert.equal(fields['type'], 'env.ce-headers');
	});

	test('no correlation headers: no correlationid or causationid fields', async () => {
		assert.equal((await postEvent(producer.url, 'env.bare', '{}')).status, 200);
		const fields = await onlyEntry('env.bare');
		assert.equal('correlationid' in fields, false);
		assert.equal('causationid' in fields, false);
	});

	test('CloudEvents structured mode: its id, source, type, time and extensions kept', async () => {
		const event = {specversion: '1.0', id: 'ev-123', source: '/orders', type: 'order.created', time: '2024-01-02T03:04:05.000Z', correlationid: 'c-1', causationid: 'k-1', data: {order_id: 9}};
		const reply = await postEvent(producer.url, 'env.structured', JSON.stringify(event), 'application/cloudevents+json; charset=utf-8');
		assert.equal(reply.status, 200, reply.text);
		const fields = await onlyEntry('env.structured');
		assert.equal(fields['id'], 'ev-123');
		assert.equal(fields['source'], '/orders');
		assert.equal(fields['type'], 'order.created', 'the producer\'s type, not the topic');
		assert.equal(fields['time'], '2024-01-02T03:04:05.000Z');
		assert.equal(fields['correlationid'], 'c-1');
		assert.equal(fields['causationid'], 'k-1');
		assert.deepEqual(JSON.parse(fields['data'] ?? ''), {order_id: 9});
	});

	for (const missing of ['specversion', 'id', 'source', 'type']) {
		test(`CloudEvents structured mode without "${missing}" → 400 naming it, nothing stored`, async () => {
			const event: Record<string, unknown> = {specversion: '1.0', id: 'x', source: '/s', type: 't', data: 1};
			delete event[missing];
			const topic = `env.missing-${missing}`;
			const reply = await postEvent(producer.url, topic, JSON.stringify(event), 'application/cloudevents+json');
			assert.equal(reply.status, 400);
			assert.match(String(reply.json()['error']), new RegExp(`"${missing}"`));
			await assertNothingStoredBefore(topic);
		});
	}

	test('text/plain is stored as the string itself', async () => {
		assert.equal((await postEvent(producer.url, 'env.text', 'just "words", not JSON {', 'text/plain')).status, 200);
		const fields = await onlyEntry('env.text');
		assert.equal(fields['datacontenttype'], 'text/plain');
		assert.equal(fields['data'], 'just "words", not JSON {');
	});

	test('the stream is capped at --retain (approximately)', async () => {
		const items = JSON.stringify(Array.from({length: 300}, (_, i) => ({i})));
		const reply = await request(small.url, '/topics/env.capped/batch', {body: items, contentType: 'application/json'});
		assert.equal(reply.status, 200);
		const length = await redis.client.xlen(keys.stream('env.capped'));
		assert.ok(length >= 10 && length < 300, `stream length ${length} for retain 10`);
		assert.equal(await topicCount(redis.client, 'env.capped'), 300, 'the count is of all events published, not of those kept');
	});
});

describe('batch route', () => {
	test('a JSON array: count answered, all in the stream in order, all published', async () => {
		const items = [{n: 1}, {n: 2, s: 'ü'}, 'three', 4];
		const reply = await request(producer.url, '/topics/batch.array/batch', {body: JSON.stringify(items), contentType: 'application/json'});
		assert.equal(reply.status, 200, reply.text);
		assert.equal(reply.json()['count'], 4);
		const stored = await entries('batch.array');
		assert.deepEqual(stored.map((e) => JSON.parse(e.fields['data'] ?? '')), items);
		assert.equal(new Set(stored.map((e) => e.fields['id'])).size, 4, 'each event has its own id');
		const seen = await waitFor(() => (published.get('batch.array')?.length === 4 ? published.get('batch.array') : undefined), 'four PUBLISHes');
		assert.deepEqual(seen.map((m) => JSON.parse(m.toString('utf8'))), items);
	});

	test('NDJSON: one event a line, blank lines skipped', async () => {
		const body = '{"n":1}\n\n{"n":2}\r\n{"n":3}\n';
		const reply = await request(producer.url, '/topics/batch.nd/batch', {body, contentType: 'application/x-ndjson'});
		assert.equal(reply.status, 200, reply.text);
		assert.equal(reply.json()['count'], 3);
		const stored = await entries('batch.nd');
		assert.deepEqual(stored.map((e) => JSON.parse(e.fields['data'] ?? '')), [{n: 1}, {n: 2}, {n: 3}]);
		await waitFor(() => published.get('batch.nd')?.length === 3, 'three PUBLISHes');
	});

	test('NDJSON with a bad line → 400 naming the line, and NOTHING stored', async () => {
		const body = '{"n":1}\n{"n":2}\n{"n": oops}\n{"n":4}\n';
		const reply = await request(producer.url, '/topics/batch.bad/batch', {body, contentType: 'application/x-ndjson'});
		assert.equal(reply.status, 400);
		assert.match(String(reply.json()['error']), /line 3/);
		await assertNothingStoredBefore('batch.bad');
	});

	test('a batch that is not an array, or is empty → 400, nothing stored', async () => {
		for (const body of ['{"n":1}', '[]', '[1,']) {
			const reply = await request(producer.url, '/topics/batch.shape/batch', {body, contentType: 'application/json'});
			assert.equal(reply.status, 400, `${body}: ${reply.text}`);
		}
		await assertNothingStoredBefore('batch.shape');
	});

	test(`a batch over ${maxBatchEvents} events → 413 naming the limit, nothing stored or published`, async () => {
		const items = JSON.stringify(Array.from({length: maxBatchEvents + 1}, (_, i) => i));
		const reply = await request(roomy.url, '/topics/batch.over/batch', {body: items, contentType: 'application/json'});
		assert.equal(reply.status, 413, reply.text);
		const error = String(reply.json()['error']);
		assert.match(error, new RegExp(`${maxBatchEvents + 1} events`));
		assert.match(error, new RegExp(`at most ${maxBatchEvents}`));
		assert.equal(await redis.client.xlen(keys.stream('batch.over')), 0);
		await assertNothingStoredBefore('batch.over');
	});

	test(`exactly ${maxBatchEvents} events → 200, all stored and published`, async () => {
		const items = Array.from({length: maxBatchEvents}, (_, i) => i);
		const reply = await request(roomy.url, '/topics/batch.max/batch', {body: JSON.stringify(items), contentType: 'application/json'});
		assert.equal(reply.status, 200, reply.text);
		assert.equal(reply.json()['count'], maxBatchEvents);
		assert.equal(await redis.client.xlen(keys.stream('batch.max')), maxBatchEvents);
		assert.equal(await topicCount(redis.client, 'batch.max'), maxBatchEvents);
		const seen = await waitFor(() => (published.get('batch.max')?.length === maxBatchEvents ? published.get('batch.max') : undefined), `${maxBatchEvents} PUBLISHes`);
		assert.deepEqual(seen.map((m) => Number(m.toString('utf8'))), items);
	});

	test('NDJSON of 60,000 tiny lines (under --max-body) → 413; the producer still answers', async () => {
		const body = '1\n'.repeat(60_000);
		assert.ok(Buffer.byteLength(body) < defaultMaxBody);
		const reply = await request(roomy.url, '/topics/batch.huge/batch', {body, contentType: 'application/x-ndjson'});
		assert.equal(reply.status, 413, reply.text);
		assert.match(String(reply.json()['error']), /60000 events/);
		assert.equal((await request(roomy.url, '/healthz')).status, 200);
		await assertNothingStoredBefore('batch.huge');
	});

	test('a batch in an unsupported type → 415', async () => {
		const reply = await request(producer.url, '/topics/batch.xml/batch', {body: '<a/>', contentType: 'application/xml'});
		assert.equal(reply.status, 415);
		await assertNothingStoredBefore('batch.xml');
	});
});

describe('bad input: a clear error, nothing stored', () => {
	test('invalid JSON → 400 naming the parse error', async () => {
		const body = '{"order_id": 123,,}';
		let parseMessage = '';
		try {
			JSON.parse(body);
		} catch (error) {
			parseMessage = (error as Error).message;
		}
		const reply = await postEvent(producer.url, 'bad.json', body);
		assert.equal(reply.status, 400);
		const error = String(reply.json()['error']);
		assert.match(error, /invalid JSON/i);
		assert.ok(error.includes(parseMessage), `"${error}" names "${parseMessage}"`);
		await assertNothingStoredBefore('bad.json');
	});

	test('an empty JSON body → 400', async () => {
		const reply = await postEvent(producer.url, 'bad.empty', '');
		assert.equal(reply.status, 400);
		await assertNothingStoredBefore('bad.empty');
	});

	test('a body over --max-body → 413; exactly the limit is accepted', async () => {
		const over = JSON.stringify('x'.repeat(maxBody - 1));
		assert.equal(Buffer.byteLength(over), maxBody + 1);
		const reply = await postEvent(producer.url, 'bad.big', over);
		assert.equal(reply.status, 413);
		assert.match(String(reply.json()['error']), /larger/);
		await assertNothingStoredBefore('bad.big');

		const exact = JSON.stringify('y'.repeat(maxBody - 2));
		assert.equal(Buffer.byteLength(exact), maxBody);
		assert.equal((await postEvent(producer.url, 'ok.big', exact)).status, 200);
	});

	test('topic names with bad characters → 400', async () => {
		for (const topic of ['a b', 'a$b', 'ünï', 'a/b', 'a*b', 'x?y']) {
			const reply = await postEvent(producer.url, topic, '{"a":1}');
			assert.equal(reply.status, 400, `${topic}: ${reply.status} ${reply.text}`);
			assert.match(String(reply.json()['error']), /letters, digits/);
			assert.equal(await redis.client.exists(keys.stream(topic)), 0);
			assert.equal(await redis.client.hget(keys.topics, topic), null);
		}
		assert.equal((await postEvent(producer.url, 'after.badnames', '{}')).status, 200);
		await messages('after.badnames');
		for (const topic of ['a b', 'a$b', 'ünï', 'a/b', 'a*b', 'x?y']) assert.equal(published.get(topic), undefined);
	});

	test('topic names of letters, digits and . _ - : are fine', async () => {
		const reply = await postEvent(producer.url, 'Ok_topic-1.v2:x', '{"a":1}');
		assert.equal(reply.status, 200);
	});

	test('a topic over 200 characters → 400; exactly 200 is fine', async () => {
		const long = 'a'.repeat(201);
		const reply = await postEvent(producer.url, long, '{"a":1}');
		assert.equal(reply.status, 400);
		assert.match(String(reply.json()['error']), /200/);
		assert.equal(await redis.client.exists(keys.stream(long)), 0);
		assert.equal(await redis.client.hget(keys.topics, long), null);
		assert.equal((await postEvent(producer.url, 'b'.repeat(200), '{"a":1}')).status, 200);
	});

	test('unsupported content types → 415', async () => {
		for (const type of ['application/xml', 'text/html', 'application/x-www-form-urlencoded', 'image/png']) {
			const reply = await postEvent(producer.url, 'bad.type', 'a=1', type);
			assert.equal(reply.status, 415, `${type}: ${reply.text}`);
			assert.match(String(reply.json()['error']), /Content-Type/);
		}
		await assertNothingStoredBefore('bad.type');
	});

	test('an empty text/plain body → 400', async () => {
		const reply = await postEvent(producer.url, 'bad.emptytext', '', 'text/plain');
		assert.equal(reply.status, 400);
		await assertNothingStoredBefore('bad.emptytext');
	});
});

describe('heartbeat', () => {
	test('the producer is listed alive with name, kind, pid, host, started and handled', async () => {
		await producer.heartbeat.beat();
		const actors = await listActors(redis.client);
		const me = actors.find((a) => a.name === producer.name);
		assert.ok(me, `listed: ${JSON.stringify(actors)}`);
		assert.equal(me.kind, 'producer');
		assert.equal(me.pid, process.pid);
		assert.equal(me.host, (await import('node:os')).hostname());
		assert.ok(me.started > 0);
		assert.equal(me.handled, producer.heartbeat.handled);
		assert.ok(me.handled > 0, 'events handled so far are counted');
		assert.equal(me.detail, producer.url);
	});

	test('a closed producer leaves no heartbeat', async () => {
		const extra = await startProducer({session, output, port: 0});
		await waitFor(async () => (await listActors(redis.client)).some((a) => a.name === extra.name), 'the extra producer listed');
		await extra.close();
		assert.equal((await listActors(redis.client)).some((a) => a.name === extra.name), false);
		assert.equal(await redis.client.exists(keys.actor(extra.name)), 0);
	});
});

test('the producer said "listening" and no eviction warning on a noeviction Redis', () => {
	assert.ok(lines.some((line) => line === `API server listening on ${producer.url}`), lines.join('\n'));
	assert.deepEqual(said, []);
});
