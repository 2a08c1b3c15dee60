// The official CloudEvents JavaScript SDK as a real client of the producer:
// every attribute it sends (type, subject, dataschema, time, extensions,
// datacontenttype with parameters) is kept in binary mode, structured mode
// and in batches, in the stream entry and in what a consumer shows; the
// topic stays where the event is stored, whatever its type says.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {CloudEvent, CONSTANTS, emitterFor, httpTransport, HTTP, Mode} from 'cloudevents';
import {StreamFollower} from '../source/actors/stream-follower.js';
import {orderEvents, topicOf} from '../source/labs/orders/flow.js';
import {readTimelines} from '../source/labs/orders/timeline.js';
import {startProducer, type RunningProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {request} from './helpers/http.js';
import {memoryOutput} from './helpers/output.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;
let producer: RunningProducer;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
	producer = await startProducer({session, output: {emit: () => undefined}, port: 0});
	await waitFor(async () => (await request(producer.url, '/healthz')).status === 200, 'the producer connected to Redis');
});

after(async () => {
	await producer.close();
	await session.close();
	await redis.stop();
});

type Fields = Record<string, string>;

async function streamEntries(topic: string): Promise<Fields[]> {
	const raw = await redis.client.xrange(keys.stream(topic), '-', '+');
	return raw.map(([, flat]) => {
		const fields: Fields = {};
		for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
		return fields;
	});
}

/** An event with every kind of attribute the SDK can send. */
function fullEvent(id: string): CloudEvent<{order: number}> {
	return new CloudEvent({
		id,
		source: '/shop/checkout',
		type: 'com.example.someevent',
		subject: 'order-42',
		dataschema: 'https://example.com/schemas/order.json',
		time: '2024-01-02T03:04:05.678Z',
		datacontenttype: 'application/json; charset=utf-8',
		correlationid: 'corr-9',
		tenant: 'acme',
		priority: 'high',
		data: {order: 42},
	});
}

/** What the stream must hold for fullEvent, whatever the mode. */
function assertKept(fields: Fields | undefined, id: string): void {
	assert.ok(fields, 'a stream entry');
	assert.equal(fields['specversion'], '1.0');
	assert.equal(fields['id'], id);
	assert.equal(fields['source'], '/shop/checkout');
	assert.equal(fields['type'], 'com.example.someevent', 'the producer\'s type, not the topic');
	assert.equal(fields['subject'], 'order-42');
	assert.equal(fields['dataschema'], 'https://example.com/schemas/order.json');
	assert.equal(fields['time'], '2024-01-02T03:04:05.678Z', 'the producer\'s time, not the time of receipt');
	assert.equal(fields['datacontenttype'], 'application/json; charset=utf-8', 'with its parameters');
	assert.equal(fields['correlationid'], 'corr-9');
	assert.equal(fields['tenant'], 'acme');
	assert.equal(fields['priority'], 'high');
	assert.deepEqual(JSON.parse(fields['data'] ?? ''), {order: 42});
}

describe('the CloudEvents SDK as the client', () => {
	test('binary mode (the HTTP emitter, ce-* headers): every attribute kept', async () => {
		const emit = emitterFor(httpTransport(`${producer.url}/topics/sdk.binary`));
		const answer = (await emit(fullEvent('bin-1'))) as {body: string};
		assert.equal(JSON.parse(answer.body).message, 'message published', answer.body);
		const [fields] = await streamEntries('sdk.binary');
		assertKept(fields, 'bin-1');
	});

	test('structured mode (HTTP.structured): every attribute kept', async () => {
		const emit = emitterFor(httpTransport(`${producer.url}/topics/sdk.structured`), {mode: Mode.STRUCTURED});
		const answer = (await emit(fullEvent('str-1'))) as {body: string};
		assert.equal(JSON.parse(answer.body).message, 'message published', answer.body);
		const [fields] = await streamEntries('sdk.structured');
		assertKept(fields, 'str-1');
	});

	test('structured mode: string data under a JSON type stays a string; under text/plain it is the text', async () => {
		const emit = emitterFor(httpTransport(`${producer.url}/topics/sdk.strings`), {mode: Mode.STRUCTURED});
		await emit(new CloudEvent({id: 'str-json', source: '/t', type: 't', datacontenttype: 'application/json', data: '123'}));
		await emit(new CloudEvent({id: 'str-text', source: '/t', type: 't', datacontenttype: 'text/plain', data: 'hello'}));
		const [json, text] = await streamEntries('sdk.strings');
		assert.equal(json?.['data'], '"123"', 'the JSON string "123", not the number 123');
		assert.equal(JSON.parse(json?.['data'] ?? ''), '123');
		assert.equal(text?.['data'], 'hello');
	});

	test('a CloudEvents batch of SDK events: every attribute of each kept', async () => {
		const events = [fullEvent('batch-1'), fullEvent('batch-2').cloneWith({type: 'com.example.other', subject: 'order-43'})];
		const reply = await request(producer.url, '/topics/sdk.batch/batch', {method: 'POST', body: JSON.stringify(events), contentType: CONSTANTS.MIME_CE_BATCH});
		assert.equal(reply.status, 200, reply.text);
		const [first, second] = await streamEntries('sdk.batch');
		assertKept(first, 'batch-1');
		assert.equal(second?.['type'], 'com.example.other');
		assert.equal(second?.['subject'], 'order-43');
		assert.equal(second?.['tenant'], 'acme');
	});

	test('ce-* headers on the batch route → 400, nothing stored', async () => {
		const message = HTTP.binary(fullEvent('hdr-1'));
		const headers = Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, String(value)]));
		const reply = await request(producer.url, '/topics/sdk.batch-headers/batch', {method: 'POST', body: '[{"n":1}]', headers, contentType: 'application/json'});
		assert.equal(reply.status, 400, reply.text);
		assert.match(String(reply.json()['error']), /ce-\w+: ce-\* headers describe one event/);
		assert.deepEqual(await streamEntries('sdk.batch-headers'), []);
	});

	test('a percent-encoded ce- header is decoded (the HTTP binding\'s rule for non-ASCII)', async () => {
		const reply = await request(producer.url, '/topics/sdk.encoded', {method: 'POST', body: '{}', contentType: 'application/json', headers: {'ce-subject': 'Euro%20%E2%82%AC'}});
		assert.equal(reply.status, 200, reply.text);
		const [fields] = await streamEntries('sdk.encoded');
		assert.equal(fields?.['subject'], 'Euro €');
	});

	test('a consumer reading the stream shows every attribute, and the SDK accepts them as a CloudEvent', async () => {
		const output = memoryOutput();
		const {lines, records} = output;
		const follower = new StreamFollower({session, topic: 'sdk.binary', output});
		await follower.start();
		try {
			const record = await waitFor(() => records.find((r) => r['event'] === 'received'), 'the consumer received the event');
			const attributes = record['attributes'] as Record<string, string>;
			assert.equal(attributes['type'], 'com.example.someevent');
			assert.equal(attributes['subject'], 'order-42');
			assert.equal(attributes['tenant'], 'acme');
			assert.equal(attributes['time'], '2024-01-02T03:04:05.678Z');
			const again = new CloudEvent({...attributes, data: JSON.parse(String(record['data'])) as unknown});
			assert.deepEqual(again.toJSON(), fullEvent('bin-1').toJSON(), 'the same event, attribute for attribute');
			assert.ok(lines.includes('Event attributes: type=com.example.someevent subject=order-42 dataschema=https://example.com/schemas/order.json tenant=acme priority=high'), lines.join('\n'));
		} finally {
			await follower.stop();
		}
	});

	test('with logAttributes (the dashboard), the producer logs the attributes of a binary-mode event; none for a plain one', async () => {
		const output = memoryOutput();
		const {lines} = output;
		const logging = await startProducer({session, output, port: 0, logAttributes: true});
		try {
			await waitFor(async () => (await request(logging.url, '/healthz')).status === 200, 'the logging producer connected to Redis');
			await emitterFor(httpTransport(`${logging.url}/topics/sdk.logged`))(fullEvent('log-1'));
			const plain = await request(logging.url, '/topics/sdk.logged', {method: 'POST', body: '{"n":1}', contentType: 'application/json'});
			assert.equal(plain.status, 200, plain.text);
			assert.deepEqual(
				lines.filter((line) => !line.startsWith('API server listening')),
				['Stored event log-1 on topic: sdk.logged', 'Event attributes: type=com.example.someevent subject=order-42 dataschema=https://example.com/schemas/order.json tenant=acme priority=high'],
			);
		} finally {
			await logging.close();
		}
	});

	test('a plain POST keeps today\'s defaults: type = the topic, no attribute line', async () => {
		const reply = await request(producer.url, '/topics/sdk.plain', {method: 'POST', body: '{"n":1}', contentType: 'application/json'});
		assert.equal(reply.status, 200, reply.text);
		const [fields] = await streamEntries('sdk.plain');
		assert.equal(fields?.['type'], 'sdk.plain');
		assert.equal(fields?.['source'], 'eda/api-server');
		assert.equal(fields?.['datacontenttype'], 'application/json');
		assert.deepEqual(Object.keys(fields ?? {}).sort(), ['data', 'datacontenttype', 'id', 'source', 'specversion', 'time', 'type']);
	});
});

test("the orders lab's timeline names an event by the topic it is stored on, not by its type", async () => {
	const created = orderEvents[0];
	assert.equal(created, 'orderCreated');
	// Another process stored it, with a type of its own and a time far in the past.
	await redis.client.xadd(keys.stream(topicOf(created)), '*', 'specversion', '1.0', 'id', 'tl-1', 'source', '/other', 'type', 'com.example.orders.created', 'time', '2001-01-01T00:00:00Z', 'datacontenttype', 'application/json', 'data', '{"orderId":"o-77","amount":5}', 'correlationid', 'o-77');
	const [timeline] = await readTimelines(redis.client);
	assert.equal(timeline?.orderId, 'o-77');
	assert.equal(timeline?.events[0]?.type, 'orderCreated');
	assert.equal(timeline?.events[0]?.lane, 'orders');
	assert.ok((timeline?.startedAt ?? 0) > Date.parse('2020-01-01'), 'the time comes from the stream entry id, not the producer\'s time');
});
