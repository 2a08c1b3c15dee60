// Declared schemas, enforced, on a private Redis: PUT/GET /schemas/:topic,
// compatibility refusals naming each break, 422 with nothing stored (no
// stream entry, no PUBLISH), a batch all or nothing, warn mode stored,
// counted and flagged, text/plain refused, and a registration reaching a
// second producer on the same Redis without a restart.
import assert from 'node:assert/strict';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {topicOf} from '../source/labs/orders/flow.js';
import {MeshLab, meshTopic} from '../source/labs/mesh/lab.js';
import {OrdersLab} from '../source/labs/orders/lab.js';
import {SchemaRefused} from '../source/portal/enforce.js';
import {createProducerApp} from '../source/producer/app.js';
import {declaredTopics, latestDeclared, registerSchema} from '../source/portal/registry.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {postEvent, request, type Reply} from './helpers/http.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
const sessions: RedisSession[] = [];
const servers: http.Server[] = [];

/** A producer app of its own (own session, own client, own schema cache), as another process would have. */
async function startApp(): Promise<string> {
	const session = await openRedisSession({url: redis.url, say: () => {}});
	sessions.push(session);
	const app = createProducerApp({redis: session.connect('test:portal-producer', {offlineQueue: false}), maxBody: 1024 * 1024, retain: 1000});
	const server: http.Server = await new Promise((resolve) => {
		const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
	});
	servers.push(server);
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	await waitFor(async () => (await request(base, '/healthz')).status === 200, 'the producer connected to Redis');
	return base;
}

let url: string;

before(async () => {
	redis = await startTestRedis();
	url = await startApp();
});

after(async () => {
	for (const server of servers) {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	}
	for (const session of sessions) await session.close();
	await redis.stop();
});

const orderV1 = {type: 'object', properties: {id: {type: 'string'}, total: {type: 'number'}}, required: ['id', 'total'], additionalProperties: false};

function putSchema(topic: string, schema: unknown, query = ''): Promise<Reply> {
	return request(url, `/schemas/${topic}${query}`, {method: 'PUT', body: typeof schema === 'string' ? schema : JSON.stringify(schema), contentType: 'application/json'});
}

/** Every message PUBLISHed on `topic`'s channel, in order, on a connection of its own. */
async function listen(topic: string): Promise<{messages: string[]; close(): void}> {
	const sub = new Redis(redis.url);
	const messages: string[] = [];
	sub.on('message', (_channel: string, message: string) => messages.push(message));
	await sub.subscribe(topic);
	return {messages, close: () => sub.disconnect()};
}

describe('PUT and GET /schemas/:topic', () => {
	test('registers version 1 (defaults backward, enforce), lists it, and the same schema again stores nothing', async () => {
		assert.equal((await request(url, '/schemas/orders')).status, 404, 'no schema yet');
		const first = await putSchema('orders', orderV1);
		assert.equal(first.status, 201, first.text);
		assert.deepEqual({...first.json(), registeredAt: 0}, {topic: 'orders', version: 1, compat: 'backward', mode: 'enforce', registeredAt: 0, schema: orderV1, unchanged: false});
		const again = await putSchema('orders', orderV1);
		assert.equal(again.status, 200);
		assert.equal(again.json()['unchanged'], true);
		const listed = await request(url, '/schemas/orders');
		assert.equal(listed.status, 200);
		const versions = listed.json()['versions'] as Array<Record<string, unknown>>;
		assert.deepEqual(versions.map((v) => v['version']), [1]);
		assert.deepEqual(versions[0]?.['schema'], orderV1);
		assert.ok(await redis.client.sismember(keys.portal.declared, 'orders'));
	});

	test('an incompatible version is refused 409 naming each break: path, kind, direction, and the open-content-model trap', async () => {
		const changedType = {...orderV1, properties: {...orderV1.properties, total: {type: 'string'}}};
		const refused = await putSchema('orders', changedType);
		assert.equal(refused.status, 409, refused.text);
		const body = refused.json();
		assert.equal(body['against'], 1);
		assert.deepEqual((body['breaks'] as Array<Record<string, unknown>>).map((b) => [b['path'], b['kind'], b['direction']]), [['/properties/total', 'type-changed', 'backward']]);
		assert.match(String(body['error']), /not backward compatible with version 1 of orders: \/properties\/total type-changed \(breaks backward\)/);

		// An open content model: adding an optional field breaks BACKWARD (old events may hold that name with any value).
		assert.equal((await putSchema('open', {type: 'object', properties: {id: {type: 'string'}}})).status, 201);
		const trap = await putSchema('open', {type: 'object', properties: {id: {type: 'string'}, note: {type: 'string'}}});
		assert.equal(trap.status, 409);
		const [only] = trap.json()['breaks'] as Array<Record<string, unknown>>;
		assert.equal(only?.['path'], '/properties/note');
		assert.equal(only?.['kind'], 'property-added');
		assert.equal(only?.['openContentTrap'], true);
		assert.match(String(only?.['why']), /additionalProperties/);
		// The same change is fine FORWARD, and with compat=none anything goes.
		assert.equal((await putSchema('open', {type: 'object', properties: {id: {type: 'string'}, note: {type: 'string'}}}, '?compat=forward')).json()['version'], 2);
		assert.equal((await putSchema('orders', changedType, '?compat=none')).json()['version'], 2);
		assert.deepEqual(((await request(url, '/schemas/orders')).json()['versions'] as Array<Record<string, unknown>>).map((v) => v['compat']), ['backward', 'none']);
		// Back to v1's shape for the tests below (none again: number after string breaks backward).
		assert.equal((await putSchema('orders', orderV1, '?compat=none')).json()['version'], 3);
		assert.deepEqual((await latestDeclared(redis.client, 'orders'))?.schema, orderV1);
		assert.equal(await latestDeclared(redis.client, 'never'), undefined);
		assert.deepEqual(await declaredTopics(redis.client), ['open', 'orders']);
	});

	test('bad input: an unknown compat or mode 400, an invalid schema 422 naming where, a remote $ref refused, a bad topic 400; nothing stored', async () => {
		const before = await redis.client.llen(keys.portal.schemaVersions('badin'));
		assert.match((await putSchema('badin', orderV1, '?compat=sideways')).json()['error'] as string, /compat "sideways" is not one of backward, forward, full, none/);
		assert.equal((await putSchema('badin', orderV1, '?mode=strict')).status, 400);
		const invalid = await putSchema('badin', {type: 'object', properties: {n: {type: 'numbr'}}});
		assert.equal(invalid.status, 422);
		assert.match(invalid.json()['error'] as string, /at \/properties\/n\/type/);
		const remote = await putSchema('badin', {type: 'object', properties: {n: {$ref: 'https://example.com/n.json'}}});
		assert.equal(remote.status, 422);
		assert.match(remote.json()['error'] as string, /only local references/);
		assert.equal((await putSchema('badin', '{"type":')).status, 422);
		assert.equal((await putSchema('eda:x', orderV1)).status, 400);
		assert.equal(await redis.client.llen(keys.portal.schemaVersions('badin')), before);
	});
});

describe('POST /topics with a declared schema', () => {
	test('a failing event: 422 with the failing paths, nothing stored, nothing PUBLISHed', async () => {
		const channel = await listen('orders');
		try {
			const before = await redis.client.xlen(keys.stream('orders'));
			const refused = await postEvent(url, 'orders', JSON.stringify({id: 7, total: 'ten', extra: true}));
			assert.equal(refused.status, 422, refused.text);
			const body = refused.json();
			assert.equal(body['version'], 3);
			assert.equal(body['index'], undefined, 'a single event has no index');
			const failures = body['failures'] as Array<{path: string; message: string}>;
			assert.ok(failures.length >= 2 && failures.length <= 5, JSON.stringify(failures));
			assert.ok(failures.some((f) => f.path === '/id' && f.message === 'must be string'));
			assert.ok(failures.some((f) => f.path === '/total' && f.message === 'must be number'));
			assert.match(String(body['error']), /nothing was stored/);
			assert.equal(await redis.client.xlen(keys.stream('orders')), before, 'no stream entry');
			// The next good event is the first message the channel carries: the refused one never went out.
			const good = await postEvent(url, 'orders', JSON.stringify({id: 'o-1', total: 10}));
			assert.equal(good.status, 200, good.text);
			assert.equal(good.json()['warnings'], undefined);
			await waitFor(() => channel.messages.length > 0, 'the good event on the channel');
			assert.deepEqual(channel.messages, ['{"id":"o-1","total":10}']);
			assert.equal(await redis.client.xlen(keys.stream('orders')), before + 1);
		} finally {
			channel.close();
		}
	});

	test('a batch is all or nothing, and the answer names the first failing index', async () => {
		const before = await redis.client.xlen(keys.stream('orders'));
		const batch = [{id: 'a', total: 1}, {id: 'b', total: 2}, {id: 'c'}, {id: 'd', total: 'x'}];
		const refused = await request(url, '/topics/orders/batch', {method: 'POST', body: JSON.stringify(batch), contentType: 'application/json'});
		assert.equal(refused.status, 422, refused.text);
		assert.equal(refused.json()['index'], 2);
		assert.match(String(refused.json()['error']), /the event at index 2/);
		assert.deepEqual(refused.json()['failures'], [{path: '/', message: "must have required property 'total'"}]);
		const ndjson = await request(url, '/topics/orders/batch', {method: 'POST', body: '{"id":"a","total":1}\n{"id":"b","total":false}\n', contentType: 'application/x-ndjson'});
		assert.equal(ndjson.json()['index'], 1);
		assert.equal(await redis.client.xlen(keys.stream('orders')), before, 'nothing of either batch stored');
		const fine = await request(url, '/topics/orders/batch', {method: 'POST', body: JSON.stringify(batch.slice(0, 2)), contentType: 'application/json'});
		assert.equal(fine.status, 200);
		assert.equal(await redis.client.xlen(keys.stream('orders')), before + 2);
	});

	test('text/plain on a topic with a schema is refused in enforce mode; CloudEvents are checked on their data', async () => {
		const before = await redis.client.xlen(keys.stream('orders'));
		const text = await postEvent(url, 'orders', 'hello', 'text/plain');
		assert.equal(text.status, 422);
		assert.match((text.json()['failures'] as Array<{message: string}>)[0]?.message ?? '', /a text\/plain event cannot be checked against the declared JSON schema/);
		const ce = (data: unknown) => JSON.stringify({specversion: '1.0', id: `e-${Math.random()}`, source: 'test', type: 'orders', data});
		assert.equal((await postEvent(url, 'orders', ce({id: 'x', total: 'no'}), 'application/cloudevents+json')).status, 422);
		assert.equal((await postEvent(url, 'orders', ce({id: 'x', total: 3}), 'application/cloudevents+json')).status, 200);
		assert.equal(await redis.client.xlen(keys.stream('orders')), before + 1);
		// A topic with no schema takes text as before, and so does one declared non-JSON (an inferred schema of text traffic).
		assert.equal((await postEvent(url, 'free', 'hello', 'text/plain')).status, 200);
		assert.equal((await putSchema('rawText', {'x-eda-non-json': true})).status, 201);
		assert.equal((await postEvent(url, 'rawText', 'hello', 'text/plain')).status, 200);
	});

	test('warn mode: the failing event is stored, counted and flagged in the answer', async () => {
		assert.equal((await putSchema('metrics', {type: 'object', properties: {v: {type: 'number'}}, required: ['v']}, '?mode=warn')).status, 201);
		const one = await postEvent(url, 'metrics', '{"v":"high"}');
		assert.equal(one.status, 200, one.text);
		assert.equal(one.json()['flagged'], 1);
		assert.deepEqual(one.json()['warnings'], [{index: 0, version: 1, failures: [{path: '/v', message: 'must be number'}]}]);
		const batch = await request(url, '/topics/metrics/batch', {method: 'POST', body: '[{"v":1},{},{"v":2},"text"]', contentType: 'application/json'});
		assert.equal(batch.status, 200);
		assert.equal(batch.json()['flagged'], 2);
		assert.deepEqual((batch.json()['warnings'] as Array<{index: number}>).map((w) => w.index), [1, 3]);
		assert.equal(await redis.client.xlen(keys.stream('metrics')), 5, 'all stored');
		assert.equal(await redis.client.get(keys.portal.schemaFlagged('metrics')), '3');
		assert.equal((await postEvent(url, 'metrics', 'plain', 'text/plain')).status, 200, 'text is stored in warn mode');
		assert.equal(await redis.client.get(keys.portal.schemaFlagged('metrics')), '4');
		const listed = await request(url, '/schemas/metrics');
		assert.equal(listed.json()['flagged'], 4, 'GET /schemas says how many events were stored though they failed');
	});

	test('a registration reaches another producer on the same Redis without a restart', async () => {
		const other = await startApp();
		// The other producer knows the topic has no schema (its cache is warm).
		assert.equal((await postEvent(other, 'payments', '{"amount":"12"}')).status, 200);
		const registered = await registerSchema(redis.client, 'payments', {type: 'object', properties: {amount: {type: 'number'}}});
		assert.ok(registered.ok);
		await waitFor(async () => (await postEvent(other, 'payments', '{"amount":"13"}')).status === 422, 'the other producer to enforce the new schema');
		assert.equal((await postEvent(other, 'payments', '{"amount":13}')).status, 200);
		// And a new version replaces the old one there too.
		assert.ok((await registerSchema(redis.client, 'payments', {type: 'object', properties: {amount: {type: ['number', 'string']}}}, {compat: 'none'})).ok);
		await waitFor(async () => (await postEvent(other, 'payments', '{"amount":"14"}')).status === 200, 'the other producer to take version 2');
	});
});

describe('the labs publish through the same check', () => {
	test("the orders lab's event on a topic with a schema it fails: refused, nothing stored, POST /orders answers 422", async () => {
		const session = await openRedisSession({url: redis.url, say: () => {}});
		sessions.push(session);
		const lab = new OrdersLab({session, output: {emit: () => {}}, port: 0, host: '127.0.0.1', rate: 0, failRate: 0});
		await lab.start();
		try {
			const topic = topicOf('orderCreated');
			assert.ok((await registerSchema(redis.client, topic, {type: 'object', properties: {amount: {type: 'string'}}})).ok);
			const before = await redis.client.xlen(keys.stream(topic));
			// The lab has published nothing yet: its first publish reads the schema.
			await assert.rejects(lab.placeOrder(), (error: unknown) => error instanceof SchemaRefused && /\/amount must be string/.test(error.message));
			const reply = await request(lab.url ?? '', '/orders', {method: 'POST', body: '{"amount":100}', contentType: 'application/json'});
			assert.equal(reply.status, 422, reply.text);
			assert.deepEqual(reply.json()['failures'], [{path: '/amount', message: 'must be string'}]);
			assert.equal(await redis.client.xlen(keys.stream(topic)), before);
		} finally {
			await lab.stop();
		}
	});

	test("the mesh lab's order on east, whose schema it fails: refused, nothing stored on east", async () => {
		const session = await openRedisSession({url: redis.url, say: () => {}});
		sessions.push(session);
		const lab = new MeshLab({session, output: {emit: () => {}}, port: 0, host: '127.0.0.1', rate: 0});
		await lab.start();
		const east = new Redis(lab.brokerUrl('east') ?? '');
		try {
			await lab.publish();
			assert.equal(await east.xlen(keys.stream(meshTopic)), 1, 'an order with no schema declared is stored');
			assert.ok((await registerSchema(east, meshTopic, {type: 'object', properties: {total: {type: 'string'}}})).ok);
			// Orders published before the lab's producer reads the schema (within a second) are stored; the first refused one is not.
			const refused = await waitFor(async () => {
				const before = await east.xlen(keys.stream(meshTopic));
				const error = await lab.publish().then(() => undefined, (error: unknown) => error);
				return error === undefined ? undefined : {error, before, after: await east.xlen(keys.stream(meshTopic))};
			}, 'the lab to take the schema');
			assert.ok(refused.error instanceof SchemaRefused && /\/total must be string/.test(refused.error.message), String(refused.error));
			assert.equal(refused.after, refused.before, 'nothing of the refused order stored');
		} finally {
			east.disconnect();
			await lab.stop();
		}
	});
});
