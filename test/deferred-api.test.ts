// POST /deferred-exec and GET /deferred/:id on the real producer app and a real Redis.
import assert from 'node:assert/strict';
import type {Server} from 'node:http';
import {after, before, test} from 'node:test';
import type {Redis} from 'ioredis';
import {createProducerApp} from '../source/producer/app.js';
import {createRedis, waitReady} from '../source/redis/connect.js';
import {keys} from '../source/redis/keys.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let producerRedis: Redis;
let server: Server;
let api: string;

async function redisNow(): Promise<number> {
	const [s, us] = await redis.client.time();
	return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

function post(query: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
	return fetch(`${api}/deferred-exec${query}`, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body});
}

before(async () => {
	redis = await startTestRedis();
	producerRedis = createRedis(redis.url, {offlineQueue: false});
	await waitReady(producerRedis, 5000);
	const app = createProducerApp({redis: producerRedis, maxBody: 1024, retain: 1000});
	server = await new Promise((resolve) => {
		const s = app.listen(0, '127.0.0.1', () => resolve(s));
	});
	const address = server.address();
	api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(async () => {
	server.closeAllConnections();
	await new Promise((r) => server.close(r));
	producerRedis.disconnect();
	await redis.stop();
});

test('POST /deferred-exec stores the event before answering, with its id and due time', async () => {
	const before = await redisNow();
	const res = await post('?delay=30s', '{"order_id": 123}');
	assert.equal(res.status, 200);
	const answer = (await res.json()) as {message: string; id: string; due: number; dueAt: string};
	assert.equal(answer.message, 'message published');
	assert.ok(answer.due >= before + 30_000 && answer.due < before + 31_000);
	assert.equal(answer.dueAt, new Date(answer.due).toISOString());
	assert.equal(await redis.client.hget(keys.deferred.event(answer.id), 'body'), '{"order_id": 123}');
	assert.equal(Number(await redis.client.zscore(keys.deferred.scheduled, answer.id)), answer.due);

	const got = await fetch(`${api}/deferred/${answer.id}`);
	assert.equal(got.status, 200);
	const view = (await got.json()) as Record<string, unknown>;
	assert.equal(view['state'], 'scheduled');
	assert.equal(view['attempts'], 0);
	assert.equal(view['due'], answer.due);
});

test('the delay comes from ?delay= or a delay header, in ms, s or m; a bare number is ms', async () => {
	for (const [query, headers, expected] of [
		['?delay=250ms', {}, 250],
		['?delay=2m', {}, 120_000],
		['?delay=1500', {}, 1500],
		['', {delay: '3s'}, 3000],
		['', {}, 0],
	] as const) {
		const before = await redisNow();
		const res = await post(query, '{}', headers);
		assert.equal(res.status, 200, `${query} ${JSON.stringify(headers)}`);
		const {due} = (await res.json()) as {due: number};
		assert.ok(due >= before + expected && due < before + expected + 1000, `${query}${JSON.stringify(headers)}: due ${due - before} ms after`);
	}
});

test('bad input is refused with a clear error and nothing is stored', async () => {
	const count = async () => Number(await redis.client.zcard(keys.deferred.scheduled));
	const stored = await count();
	for (const [res, status, pattern] of [
		[await post('?delay=soon', '{}'), 400, /delay "soon" is not a duration/],
		[await post('?delay=-5s', '{}'), 400, /not a duration/],
		[await post('', '{"broken'), 400, /invalid JSON/],
		[await post('', '{}', {'content-type': 'application/xml'}), 415, /unsupported Content-Type/],
		[await post('', JSON.stringify({big: 'x'.repeat(2000)})), 413, /larger than/],
		// Binary-mode CloudEvents attributes: the queue keeps the body alone, so they would be dropped.
		[await post('?delay=1s', '{"a":1}', {'ce-specversion': '1.0', 'ce-type': 'com.example.task', 'ce-source': '/x', 'ce-id': '1'}), 400, /header ce-\w+: a deferred event is stored as its body alone.*application\/cloudevents\+json/],
	] as const) {
		assert.equal(res.status, status);
		assert.match(((await res.json()) as {error: string}).error, pattern);
	}
	assert.equal(await count(), stored);
	// The same event in structured mode is stored whole, its attributes in the body the worker gets.
	const structured = JSON.stringify({specversion: '1.0', type: 'com.example.task', source: '/x', id: '1', data: {a: 1}});
	const kept = await post('?delay=1s', structured, {'content-type': 'application/cloudevents+json'});
	assert.equal(kept.status, 200);
	const {id} = (await kept.json()) as {id: string};
	assert.equal(await redis.client.hget(keys.deferred.event(id), 'body'), structured);
	assert.equal((await fetch(`${api}/deferred/424242`)).status, 404);
	assert.equal((await fetch(`${api}/deferred/not-a-number`)).status, 404);
});

test('with Redis down the route answers 503, never 200; after the restart it stores again', async () => {
	await redis.kill();
	const down = await post('', '{"while":"down"}');
	assert.equal(down.status, 503);
	assert.match(((await down.json()) as {error: string}).error, /not stored/);
	await redis.restart();
	const up = await waitFor(async () => {
		const res = await post('', '{"while":"up"}');
		return res.status === 200 ? res : undefined;
	}, 'a 200 after the restart', 20_000);
	const {id} = (await up.json()) as {id: string};
	assert.equal(await redis.client.hget(keys.deferred.event(id), 'body'), '{"while":"up"}');
});

test('a delay after 1,000 other query parameters is still read: never due now', async () => {
	// express's query parser keeps the first 1,000 parameters; the delay used to be dropped, the event due at once.
	const padding = Array.from({length: 1000}, (_, i) => `p${i}=${i}`).join('&');
	const res = await post(`?${padding}&delay=30s`, '{"late": true}');
	assert.equal(res.status, 200);
	const {id} = (await res.json()) as {id: string};
	const [created, due, state] = await redis.client.hmget(keys.deferred.event(id), 'created', 'due', 'state');
	assert.equal(state, 'scheduled');
	assert.equal(Number(due) - Number(created), 30_000, 'due 30 s after it was stored (Redis time)');

	const bad = await post(`?${padding}&delay=soon`, '{}');
	assert.equal(bad.status, 400);
	assert.match(((await bad.json()) as {error: string}).error, /delay "soon" is not a duration/);
});
