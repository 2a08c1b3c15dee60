// Bodies the producer must refuse rather than store altered or choke on: bytes
// that are not UTF-8 and other charsets, JSON nested past 512 levels, broken
// CloudEvents attributes, and a body that stalls before its Content-Length.
// Each refusal stores and publishes nothing.
import assert from 'node:assert/strict';
import net from 'node:net';
import {after, before, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import type {ActorOutput} from '../source/actors/output.js';
import {startProducer, type RunningProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {postEvent, request, type Reply} from './helpers/http.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;
let producer: RunningProducer;
let subscriber: Redis;
const published = new Map<string, string[]>();
const output: ActorOutput = {emit: () => undefined};
const stallMs = 500;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
	producer = await startProducer({session, output, port: 0, stallMs});
	await waitFor(async () => (await request(producer.url, '/healthz')).status === 200, 'the producer connected to Redis');
	subscriber = new Redis(redis.url);
	subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
		published.set(channel, [...(published.get(channel) ?? []), message]);
	});
	await subscriber.psubscribe('*');
});

after(async () => {
	subscriber.disconnect();
	await producer.close();
	await session.close();
	await redis.stop();
});

/**
 * Proves the refused request left nothing: a good event posted now is the
 * only stream entry and the first PUBLISH on the channel (pub/sub keeps order).
 */
async function assertNothingStored(topic: string): Promise<void> {
	const sentinel = `sentinel for ${topic}`;
	assert.equal((await postEvent(producer.url, topic, sentinel, 'text/plain')).status, 200);
	const seen = await waitFor(() => published.get(topic), `a PUBLISH on ${topic}`);
	assert.equal(seen[0], sentinel, 'the first PUBLISH on the channel is the good event');
	const stored = await redis.client.xrange(keys.stream(topic), '-', '+');
	assert.deepEqual(
		stored.map(([, fields]) => fields[fields.indexOf('data') + 1]),
		[sentinel],
	);
}

function postBatch(topic: string, body: string | Buffer, contentType: string, headers: Record<string, string> = {}): Promise<Reply> {
	return request(producer.url, `/topics/${topic}/batch`, {method: 'POST', body, contentType, headers});
}

const latin1Cafe = Buffer.concat([Buffer.from('{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);

describe('bodies must be UTF-8: 400 naming the byte, or 415 for another charset', () => {
	test('the issue\'s case: JSON with charset=latin1 → 415, nothing stored', async () => {
		const reply = await postEvent(producer.url, 'utf.latin', latin1Cafe, 'application/json; charset=latin1');
		assert.equal(reply.status, 415, reply.text);
		assert.match(String(reply.json()['error']), /charset "latin1"/);
		await assertNothingStored('utf.latin');
	});

	test('JSON whose bytes are not UTF-8 → 400 naming byte 9, nothing stored', async () => {
		const reply = await postEvent(producer.url, 'utf.json', latin1Cafe, 'application/json');
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /not valid UTF-8 \(byte 9 /);
		await assertNothingStored('utf.json');
	});

	test('text/plain whose bytes are not UTF-8 → 400 naming the byte, nothing stored', async () => {
		const reply = await postEvent(producer.url, 'utf.text', Buffer.from([0x68, 0x69, 0x20, 0xff, 0xfe]), 'text/plain');
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /byte 3 /);
		await assertNothingStored('utf.text');
	});

	test('a truncated and an overlong sequence are found too', async () => {
		const truncated = await postEvent(producer.url, 'utf.cut', Buffer.from([0x22, 0x61, 0xe2, 0x82, 0x22]), 'application/json');
		assert.match(String(truncated.json()['error']), /byte 2 /);
		const overlong = await postEvent(producer.url, 'utf.cut', Buffer.from([0x22, 0xc0, 0xaf, 0x22]), 'application/json');
		assert.match(String(overlong.json()['error']), /byte 1 /);
		await assertNothingStored('utf.cut');
	});

	test('a CloudEvent in structured mode with a bad byte → 400, nothing stored', async () => {
		const body = Buffer.concat([Buffer.from('{"specversion":"1.0","id":"u1","source":"/s","type":"t","data":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
		const reply = await postEvent(producer.url, 'utf.ce', body, 'application/cloudevents+json');
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /byte 67 /);
		await assertNothingStored('utf.ce');
	});

	test('a batch with one bad byte in its last event → 400, none of the batch stored', async () => {
		const body = Buffer.concat([Buffer.from('[{"n":1},{"n":2},{"s":"caf'), Buffer.from([0xe9]), Buffer.from('"}]')]);
		const reply = await postBatch('utf.batch', body, 'application/json');
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /byte 26 /);
		const ndjson = Buffer.concat([Buffer.from('{"n":1}\n{"s":"'), Buffer.from([0xff]), Buffer.from('"}\n')]);
		assert.equal((await postBatch('utf.batch', ndjson, 'application/x-ndjson')).status, 400);
		await assertNothingStored('utf.batch');
	});

	test('a CloudEvents batch in another charset → 415, nothing stored', async () => {
		const body = JSON.stringify([{specversion: '1.0', id: 'b1', source: '/s', type: 't', data: 1}]);
		const reply = await postBatch('utf.cebatch', body, 'application/cloudevents-batch+json; charset=iso-8859-1');
		assert.equal(reply.status, 415, reply.text);
		await assertNothingStored('utf.cebatch');
	});

	test('a UTF-8 byte order mark before JSON is dropped, not a parse error; text keeps it', async () => {
		const bom = Buffer.from([0xef, 0xbb, 0xbf]);
		const one = await postEvent(producer.url, 'utf.bom', Buffer.concat([bom, Buffer.from('{"a":1}')]), 'application/json');
		assert.equal(one.status, 200, one.text);
		const batch = await postBatch('utf.bom', Buffer.concat([bom, Buffer.from('[{"a":2}]')]), 'application/json');
		assert.equal(batch.status, 200, batch.text);
		const text = await postEvent(producer.url, 'utf.bom', Buffer.concat([bom, Buffer.from('hi')]), 'text/plain');
		assert.equal(text.status, 200, text.text);
		const stored = await redis.client.xrange(keys.stream('utf.bom'), '-', '+');
		assert.deepEqual(stored.map(([, fields]) => fields[fields.indexOf('data') + 1]), ['{"a":1}', '{"a":2}', '\uFEFFhi']);
	});

	// Node hands header values over one character a byte (latin1): without
	// reading the bytes back as UTF-8, `ce-subject: café` sent raw was stored
	// as "cafÃ©" and answered 200.
	const raw = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
	const fieldsOf = async (topic: string) => {
		const [entry] = await redis.client.xrange(keys.stream(topic), '-', '+');
		const flat = entry?.[1] ?? [];
		const fields: Record<string, string> = {};
		for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
		return fields;
	};

	test('header values sent as raw UTF-8 bytes (ce-*, X-Correlation-Id, the Content-Type) are stored as that text', async () => {
		const headers = {'ce-subject': raw('café ☕'), 'ce-type': raw('com.example.tést'), 'ce-tenant': raw('Zürich'), 'x-correlation-id': raw('ordér-1')};
		const reply = await postEvent(producer.url, 'utf.headers', '{}', raw('application/json; profile="é"'), headers);
		assert.equal(reply.status, 200, reply.text);
		const fields = await fieldsOf('utf.headers');
		assert.equal(fields['subject'], 'café ☕');
		assert.equal(fields['type'], 'com.example.tést');
		assert.equal(fields['tenant'], 'Zürich');
		assert.equal(fields['correlationid'], 'ordér-1');
		assert.equal(fields['datacontenttype'], 'application/json; profile="é"');
		const structured = await postEvent(producer.url, 'utf.headers-ce', JSON.stringify({specversion: '1.0', id: 'h1', source: '/s', type: 't', data: 1}), 'application/cloudevents+json', {'x-correlation-id': raw('ordér-2')});
		assert.equal(structured.status, 200, structured.text);
		assert.equal((await fieldsOf('utf.headers-ce'))['correlationid'], 'ordér-2');
	});

	test('a header value whose bytes are not UTF-8 → 400 naming the header, nothing stored', async () => {
		for (const header of ['ce-subject', 'x-correlation-id']) {
			const reply = await postEvent(producer.url, 'utf.header-bad', '{}', 'application/json', {[header]: 'caf\u00e9'});
			assert.equal(reply.status, 400, reply.text);
			assert.match(String(reply.json()['error']), new RegExp(`header ${header}: .*not valid UTF-8`));
		}
		const batch = await postBatch('utf.header-bad', '[{"n":1}]', 'application/json', {'x-causation-id': 'caf\u00e9'});
		assert.equal(batch.status, 400, batch.text);
		assert.match(String(batch.json()['error']), /header x-causation-id: .*not valid UTF-8/);
		await assertNothingStored('utf.header-bad');
	});

	test('charset=utf-8 (any case, quoted) is accepted and the text stored as sent', async () => {
		const body = '{"a":"café ☕"}';
		for (const type of ['application/json; charset=utf-8', 'application/json; Charset="UTF-8"', 'text/plain;charset=utf8']) {
			const reply = await postEvent(producer.url, 'utf.ok', body, type);
			assert.equal(reply.status, 200, `${type}: ${reply.text}`);
		}
		const stored = await redis.client.xrange(keys.stream('utf.ok'), '-', '+');
		assert.deepEqual(
			stored.map(([, fields]) => fields[fields.indexOf('data') + 1]),
			[body, body, body],
		);
	});
});

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe(`JSON nested deeper than 512 levels → 400, nothing stored`, () => {
	test('a single event 100,000 deep → 400; 512 deep is fine', async () => {
		const reply = await postEvent(producer.url, 'deep.one', nested(100_000));
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /deeper than 512/);
		await assertNothingStored('deep.one');
		assert.equal((await postEvent(producer.url, 'deep.ok', nested(512))).status, 200);
		assert.equal((await postEvent(producer.url, 'deep.ok', `["${'['.repeat(600)}"]`)).status, 200, 'brackets inside a string do not count');
	});

	test('the batch route, 100,000 deep → 400 (was 500 "Maximum call stack size exceeded")', async () => {
		const reply = await postBatch('deep.batch', `[${nested(100_000)}]`, 'application/json');
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /deeper than 512/);
		await assertNothingStored('deep.batch');
	});

	test('inside a CloudEvent\'s data → 400 (was 500)', async () => {
		const body = `{"specversion":"1.0","id":"d1","source":"/s","type":"t","data":${nested(100_000)}}`;
		const reply = await postEvent(producer.url, 'deep.ce', body, 'application/cloudevents+json');
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /deeper than 512/);
		await assertNothingStored('deep.ce');
	});
});

describe('CloudEvents attributes that break the spec → 400 naming the attribute', () => {
	const event = {specversion: '1.0', id: 'v1', source: '/s', type: 't'};
	const cases: Array<[string, Record<string, unknown>, RegExp]> = [
		['data_base64 that is not a string', {...event, data_base64: {a: 1}}, /"data_base64" must be a string/],
		['specversion 0.3', {...event, specversion: '0.3'}, /"specversion" is "0.3"/],
		['a time that is not RFC 3339', {...event, time: 'yesterday at noon'}, /"time" "yesterday at noon" is not an RFC 3339 time/],
		['a time with a 13th month', {...event, time: '2024-13-01T00:00:00Z'}, /"time"/],
		['an extension name with capitals', {...event, myExt: 'x'}, /"myExt" is not a CloudEvents attribute name/],
		['an extension whose value is an object', {...event, myext: {a: 1}}, /extension attribute "myext"/],
	];
	for (const [name, body, error] of cases) {
		test(`${name} (structured mode and in a batch)`, async () => {
			const topic = `ce.bad-${name.replace(/[^a-z0-9]+/gi, '-')}`;
			const one = await postEvent(producer.url, topic, JSON.stringify(body), 'application/cloudevents+json');
			assert.equal(one.status, 400, one.text);
			assert.match(String(one.json()['error']), error);
			const batch = await postBatch(topic, JSON.stringify([event, body]), 'application/cloudevents-batch+json');
			assert.equal(batch.status, 400, batch.text);
			assert.match(String(batch.json()['error']), /^event 2: /);
			await assertNothingStored(topic);
		});
	}

	test('binary mode: ce-specversion other than 1.0, a ce-time that is not RFC 3339 → 400 naming the header', async () => {
		const version = await postEvent(producer.url, 'ce.bad-headers', '{}', 'application/json', {'ce-specversion': '0.3'});
		assert.equal(version.status, 400, version.text);
		assert.match(String(version.json()['error']), /ce-specversion "0.3"/);
		const time = await postEvent(producer.url, 'ce.bad-headers', '{}', 'application/json', {'ce-time': '12/01/2026'});
		assert.equal(time.status, 400, time.text);
		assert.match(String(time.json()['error']), /ce-time "12\/01\/2026" is not an RFC 3339 time/);
		const name = await postEvent(producer.url, 'ce.bad-headers', '{}', 'application/json', {'ce-my_ext': 'x'});
		assert.equal(name.status, 400, name.text);
		assert.match(String(name.json()['error']), /ce-my_ext/);
		await assertNothingStored('ce.bad-headers');
	});
});

describe('a body that stalls before its Content-Length', () => {
	test('→ 408 once nothing has come for the stall time, connection closed, nothing stored', async () => {
		const url = new URL(producer.url);
		const socket = net.connect(Number(url.port), url.hostname);
		const answer = new Promise<string>((resolve, reject) => {
			let text = '';
			socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
			socket.on('close', () => resolve(text));
			socket.on('error', reject);
		});
		socket.write('POST /topics/stall.one HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"half":');
		const text = await answer;
		assert.match(text, /^HTTP\/1\.1 408 /);
		assert.match(text, /the body stalled/);
		await assertNothingStored('stall.one');
	});
});
