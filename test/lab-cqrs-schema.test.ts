// The CQRS lab's events honour a schema declared on its topic, like every
// other write path (portal/enforce.ts): in enforce mode a command whose event
// fails it is refused 422 with nothing stored (no stream entry, the write side
// and the read model unchanged); in warn mode it is stored, counted and
// flagged in the answer. The write stays one step with the order's version
// check: commands racing on one order never store two events of one version.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {CqrsLab} from '../source/labs/cqrs/lab.js';
import {cqrsTopic, orderEventData, type OrderEventData} from '../source/labs/cqrs/model.js';
import {labKeys} from '../source/labs/keys.js';
import {SchemaRefused} from '../source/portal/enforce.js';
import {registerSchema} from '../source/portal/registry.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {envelopeFromFields} from '../source/topics/envelope.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
const sessions: RedisSession[] = [];
const labs: CqrsLab[] = [];

/** A lab of its own (own session, own client, so its own schema cache), as a new `eda lab cqrs` would have. */
async function startLab(): Promise<CqrsLab> {
	const session = await openRedisSession({url: redis.url, say: () => undefined});
	sessions.push(session);
	const lab = new CqrsLab({session, output: {emit: () => undefined}, port: 0, host: '127.0.0.1', rate: 0, replicas: 1, mistakes: false, projectionDelayMs: 0});
	labs.push(lab);
	await lab.start();
	return lab;
}

before(async () => {
	redis = await startTestRedis();
});

after(async () => {
	for (const lab of labs) await lab.stop();
	for (const session of sessions) await session.close();
	await redis.stop();
});

async function post(lab: CqrsLab, path: string, body: unknown): Promise<{status: number; json: Record<string, unknown>}> {
	const res = await fetch(`${lab.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
	return {status: res.status, json: (await res.json()) as Record<string, unknown>};
}

async function storedEvents(): Promise<OrderEventData[]> {
	const entries = (await redis.client.xrange(keys.stream(cqrsTopic), '-', '+')) as [string, string[]][];
	return entries.map(([, fields]) => orderEventData(envelopeFromFields(fields).data)).filter((e): e is OrderEventData => e !== undefined);
}

async function readModel(orderId: string): Promise<{version: number; status?: string}> {
	const [state, version] = await redis.client.hmget(labKeys.cqrs.read(orderId), 'state', 'version');
	return {version: Number(version ?? 0), ...(state ? {status: (JSON.parse(state) as {status: string}).status} : {})};
}

/** Events may be placed or cancelled, not paid; an order's total at most $100.00. */
const noPayments = {
	type: 'object',
	properties: {
		event: {enum: ['orderPlaced', 'orderCancelled']},
		state: {type: 'object', properties: {total: {type: 'integer', maximum: 10_000}}},
	},
	required: ['event', 'state'],
};

test('enforce mode: a command whose event fails the schema is refused 422, nothing stored, the read model unchanged; one that fits is stored', async () => {
	assert.ok((await registerSchema(redis.client, cqrsTopic, noPayments)).ok);
	const lab = await startLab();
	const placed = await post(lab, '/commands/placeOrder', {customer: 'ada', items: [{sku: 'book', qty: 2, price: 1250}]});
	assert.equal(placed.status, 202, JSON.stringify(placed.json));
	const orderId = placed.json['orderId'] as string;
	await waitFor(async () => (await readModel(orderId)).version === 1, 'the order to reach the read model');
	const stream = await redis.client.xlen(keys.stream(cqrsTopic));
	const before = await lab.counters();

	const paid = await post(lab, '/commands/payOrder', {orderId, expectedVersion: 1});
	assert.equal(paid.status, 422, JSON.stringify(paid.json));
	assert.match(paid.json['error'] as string, /does not match the declared schema of lab\.cqrs\.orders \(version 1\): \/event must be equal to one of the allowed values; nothing was stored/);
	assert.deepEqual(paid.json['failures'], [{path: '/event', message: 'must be equal to one of the allowed values'}]);
	const tooDear = await post(lab, '/commands/placeOrder', {customer: 'bob', items: [{sku: 'car', qty: 1, price: 2_000_000}]});
	assert.equal(tooDear.status, 422, JSON.stringify(tooDear.json));
	assert.deepEqual(tooDear.json['failures'], [{path: '/state/total', message: 'must be <= 10000'}]);
	await assert.rejects(lab.command('payOrder', {orderId}), (error: unknown) => error instanceof SchemaRefused && error.status === 422);

	assert.equal(await redis.client.xlen(keys.stream(cqrsTopic)), stream, 'no event stored');
	assert.equal(await redis.client.hget(labKeys.cqrs.write(orderId), 'version'), '1', 'the write side unchanged');
	assert.equal(await redis.client.zcard(labKeys.cqrs.writeIndex), 1, 'the refused order is not on the write side');
	const after = await lab.counters();
	assert.equal(after.events, before.events);
	assert.equal(after.rejected, before.rejected + 3, 'counted with the refused commands');

	const cancelled = await post(lab, '/commands/cancelOrder', {orderId, expectedVersion: 1});
	assert.equal(cancelled.status, 202, JSON.stringify(cancelled.json));
	assert.equal(cancelled.json['version'], 2);
	assert.equal(cancelled.json['flagged'], undefined);
	await waitFor(async () => (await readModel(orderId)).version === 2, 'the cancellation to reach the read model');
	assert.deepEqual(await readModel(orderId), {version: 2, status: 'cancelled'}, 'the refused payment never reached the read model');
	assert.deepEqual((await storedEvents()).map((e) => [e.orderId, e.version, e.event]), [
		[orderId, 1, 'orderPlaced'],
		[orderId, 2, 'orderCancelled'],
	]);

	const another = await post(lab, '/commands/placeOrder', {customer: 'cy', items: [{sku: 'pen', qty: 1, price: 300}]});
	assert.equal(another.status, 202, JSON.stringify(another.json));
	assert.equal(await redis.client.get(keys.portal.schemaFlagged(cqrsTopic)), null, 'enforce mode flags nothing');
});

test('warn mode: the failing event is stored, counted and flagged in the answer', async () => {
	const registered = await registerSchema(redis.client, cqrsTopic, noPayments, {mode: 'warn'});
	assert.ok(registered.ok && registered.declared.version === 2 && registered.declared.mode === 'warn', JSON.stringify(registered));
	const lab = await startLab();
	const placed = await post(lab, '/commands/placeOrder', {customer: 'dee', items: [{sku: 'pen', qty: 1, price: 300}]});
	assert.equal(placed.status, 202, JSON.stringify(placed.json));
	assert.equal(placed.json['flagged'], undefined, 'an event that fits is not flagged');
	const kept = placed.json['orderId'] as string;
	const stream = await redis.client.xlen(keys.stream(cqrsTopic));
	const paid = await post(lab, '/commands/payOrder', {orderId: kept, expectedVersion: 1});
	assert.equal(paid.status, 202, JSON.stringify(paid.json));
	assert.equal(paid.json['version'], 2);
	assert.equal(paid.json['flagged'], 1);
	assert.deepEqual(paid.json['warnings'], [{index: 0, version: 2, failures: [{path: '/event', message: 'must be equal to one of the allowed values'}]}]);
	assert.equal(await redis.client.xlen(keys.stream(cqrsTopic)), stream + 1, 'stored');
	assert.equal(await redis.client.get(keys.portal.schemaFlagged(cqrsTopic)), '1', 'counted');
	await waitFor(async () => (await readModel(kept)).version === 2, 'the payment to reach the read model');
	assert.deepEqual(await readModel(kept), {version: 2, status: 'paid'});
	const cancelled = await post(lab, '/commands/cancelOrder', {orderId: kept});
	assert.equal(cancelled.status, 202, JSON.stringify(cancelled.json));
	assert.equal(cancelled.json['flagged'], undefined);
	assert.equal(await redis.client.get(keys.portal.schemaFlagged(cqrsTopic)), '1');
});

test('commands racing on one order: each stored event has its own version, the order moved on by exactly those', async () => {
	const lab = await startLab();
	const ids: string[] = [];
	for (let i = 0; i < 10; i++) ids.push((await lab.command('placeOrder', {customer: `race-${i}`, items: [{sku: 'a', qty: 1, price: 100}]})).orderId);
	// Without expectedVersion both may run: pay then cancel is allowed, cancel then pay is not.
	const results = await Promise.allSettled(ids.flatMap((orderId) => [lab.command('payOrder', {orderId}), lab.command('cancelOrder', {orderId})]));
	for (const result of results) if (result.status === 'rejected') assert.match(String(result.reason), /cannot payOrder: order .* is cancelled/);
	const events = await storedEvents();
	for (const orderId of ids) {
		const versions = events.filter((e) => e.orderId === orderId).map((e) => e.version);
		assert.deepEqual(versions, versions.map((_, i) => i + 1), `${orderId}: versions ${versions.join(', ')}`);
		assert.equal(await redis.client.hget(labKeys.cqrs.write(orderId), 'version'), String(versions.length));
		const [last] = events.filter((e) => e.orderId === orderId).slice(-1);
		assert.equal(last?.state.status, 'cancelled');
	}
});
