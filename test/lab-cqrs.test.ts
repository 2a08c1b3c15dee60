import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {after, before, test} from 'node:test';
import {listActors} from '../source/actors/heartbeat.js';
import type {ActorOutput} from '../source/actors/output.js';
import {CqrsLab, projectorGroup} from '../source/labs/cqrs/lab.js';
import {cqrsTopic, foldEvents, orderEventData, type OrderEventData} from '../source/labs/cqrs/model.js';
import {labKeys} from '../source/labs/keys.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {envelopeFromFields} from '../source/topics/envelope.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;
let lab: CqrsLab;
const output: ActorOutput = {emit: () => undefined};

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
	lab = new CqrsLab({session, output, port: 0, rate: 0, replicas: 3, projectionDelayMs: 0});
	await lab.start();
});

after(async () => {
	await lab.stop();
	await session.close();
	await redis.stop();
});

async function post(path: string, body: unknown, type = 'application/json'): Promise<{status: number; json: Record<string, unknown>}> {
	const res = await fetch(`${lab.url}${path}`, {method: 'POST', headers: {'content-type': type}, body: typeof body === 'string' ? body : JSON.stringify(body)});
	return {status: res.status, json: (await res.json()) as Record<string, unknown>};
}

const place = async (customer: string) => {
	const res = await post('/commands/placeOrder', {customer, items: [{sku: 'book', qty: 2, price: 1250}]});
	assert.equal(res.status, 202);
	return res.json['orderId'] as string;
};

async function storedEvents(): Promise<OrderEventData[]> {
	const entries = (await redis.client.xrange(keys.stream(cqrsTopic), '-', '+')) as [string, string[]][];
	return entries.map(([, fields]) => orderEventData(envelopeFromFields(fields).data)).filter((e): e is OrderEventData => e !== undefined);
}

test('the read model equals a fold of the write-side events once the lag is zero', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 20; i++) ids.push(await place(`customer-${i}`));
	for (const id of ids.slice(0, 12)) assert.equal((await post('/commands/payOrder', {orderId: id, expectedVersion: 1})).status, 202);
	for (const id of ids.slice(0, 6)) assert.equal((await post('/commands/shipOrder', {orderId: id})).status, 202);
	for (const id of ids.slice(10, 14)) assert.equal((await post('/commands/cancelOrder', {orderId: id, reason: 'test'})).status, 202);
	await waitFor(async () => (await lab.lag()).count === 0 && (await lab.entities(100)).every((row) => !row.stale), 'the read side to catch up');

	const folded = foldEvents(await storedEvents());
	assert.equal(folded.size, 20);
	for (const [id, state] of folded) {
		const [raw, version] = await redis.client.hmget(labKeys.cqrs.read(id), 'state', 'version');
		assert.ok(raw, `order ${id} is missing from the read model`);
		assert.deepEqual(JSON.parse(raw), state);
		assert.equal(Number(version), state.version);
	}
	const list = await fetch(`${lab.url}/queries/orders?limit=100`);
	assert.equal(((await list.json()) as {count: number}).count, 20);
	const one = await fetch(`${lab.url}/queries/orders/${ids[0]}`);
	assert.equal(one.headers.get('x-read-version'), '3');
	assert.equal(((await one.json()) as {order: {status: string}}).order.status, 'shipped');
});

test('within one group no event is handled twice; the mistakes show beside it', async () => {
	const counters = await lab.counters();
	const handled = await redis.client.hgetall(labKeys.cqrs.handled(projectorGroup));
	assert.equal(Object.keys(handled).length, counters.events);
	assert.ok(Object.values(handled).every((n) => n === '1'), 'an event was handled twice in the projector group');
	assert.equal(counters.duplicates, 0);
	const snap = await lab.snapshot();
	assert.equal(snap.replicas.length, 3);
	assert.equal(snap.replicas.reduce((sum, r) => sum + r.handled, 0), counters.events);
	// Own groups: every copy handles every event. One shared group, two handlers: they split the events.
	await waitFor(async () => {
		const s = await lab.snapshot();
		return s.mistakes.noGroup.every((r) => r.handled === s.mistakes.eventsSinceStart) && s.mistakes.sharedGroup.reduce((sum, r) => sum + r.handled, 0) === s.mistakes.eventsSinceStart;
	}, 'the mistake groups to catch up');
	assert.equal((await lab.snapshot()).mistakes.eventsSinceStart, counters.events);
});

test('replicas come and go; the group still handles each event once', async () => {
	await lab.addReplica();
	await lab.removeReplica();
	await lab.removeReplica();
	assert.equal(lab.replicaCount, 2);
	const ids: string[] = [];
	for (let i = 0; i < 10; i++) ids.push(await place(`later-${i}`));
	await waitFor(async () => (await lab.lag()).count === 0 && (await lab.entities(100)).every((row) => !row.stale), 'the read side to catch up');
	const handled = await redis.client.hgetall(labKeys.cqrs.handled(projectorGroup));
	assert.equal(Object.keys(handled).length, (await lab.counters()).events);
	assert.ok(Object.values(handled).every((n) => n === '1'));
});

test('a query right after a command reads stale, later the new version', async () => {
	// Long enough that the three reads below still come before it, on a loaded machine too.
	lab.setProjectionDelay(5000);
	const id = await place('stale');
	const first = await fetch(`${lab.url}/queries/orders/${id}`);
	assert.equal(first.status, 404);
	const row = (await lab.entities(5)).find((r) => r.orderId === id);
	assert.equal(row?.stale, true);
	assert.ok((await lab.lag()).count >= 1);
	await waitFor(async () => (await fetch(`${lab.url}/queries/orders/${id}`)).status === 200, 'the order to reach the read model', 30_000);
	lab.setProjectionDelay(0);
	const probe = await lab.probe();
	assert.ok(probe.visibleAfterMs >= 0);
	assert.equal(probe.version, 1);
});

test('bad commands are refused with the right status and nothing is stored', async () => {
	const before = (await lab.counters()).events;
	const id = await place('victim');
	const cases: [string, unknown, number, string?][] = [
		['/commands/placeOrder', '{"customer":', 400],
		['/commands/placeOrder', '[]', 400],
		['/commands/placeOrder', {customer: '', items: [{sku: 'a', qty: 1, price: 1}]}, 400],
		['/commands/placeOrder', {customer: 'x', items: []}, 400],
		['/commands/placeOrder', {customer: 'x', items: [{sku: 'a', qty: 0, price: 1}]}, 400],
		['/commands/placeOrder', {customer: 'x', items: [{sku: 'a b', qty: 1, price: 1}]}, 400],
		['/commands/payOrder', {}, 400],
		['/commands/payOrder', {orderId: id, expectedVersion: 'one'}, 400],
		['/commands/cancelOrder', {orderId: id, reason: 7}, 400],
		['/commands/placeOrder', 'customer=x', 415, 'application/x-www-form-urlencoded'],
		['/commands/refundOrder', {orderId: id}, 404],
		['/commands/payOrder', {orderId: 'no-such-order'}, 404],
		['/commands/shipOrder', {orderId: id}, 409],
		['/commands/payOrder', {orderId: id, expectedVersion: 5}, 409],
	];
	for (const [path, body, status, type] of cases) {
		const res = await post(path, body, type);
		assert.equal(res.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(res.json)}`);
		assert.equal(typeof res.json['error'], 'string');
	}
	assert.equal((await lab.counters()).events, before + 1);
	const bad = await fetch(`${lab.url}/queries/orders?limit=0`);
	assert.equal(bad.status, 400);
});

test("GET / lists the lab's command and query routes with ready curl lines, and the placeOrder line works", async () => {
	const res = await fetch(`${lab.url}/`);
	assert.equal(res.status, 200);
	const text = await res.text();
	for (const route of ['POST /commands/placeOrder', 'POST /commands/payOrder', 'POST /commands/shipOrder', 'POST /commands/cancelOrder', 'GET /queries/orders/<orderId>']) {
		assert.ok(text.includes(route), `${route} in:\n${text}`);
	}
	const line = text.split('\n').find((l) => l.includes('curl') && l.includes(`${lab.url}/commands/placeOrder`));
	assert.ok(line, `a curl line with the real URL for placeOrder in:\n${text}`);
	// The line as a user would paste it into a shell (async: the lab answers from this process).
	const {stdout} = await promisify(execFile)('sh', ['-c', line.trim()], {encoding: 'utf8'});
	const answer = JSON.parse(stdout) as Record<string, unknown>;
	assert.equal(typeof answer['orderId'], 'string', JSON.stringify(answer));
	assert.match(text, /api-server's routes answer here too/);
});

test('a placeOrder without items says what is wrong and shows a body that works', async () => {
	const res = await post('/commands/placeOrder', {customer: 'ada'});
	assert.equal(res.status, 400);
	assert.match(String(res.json['error']), /^items must be an array of 1 to 50 items; a body that works: \{"customer": "ada", "items": \[\{"sku": "book", "qty": 1, "price": 1250\}\]\}$/);
	assert.deepEqual(res.json['example'], {customer: 'ada', items: [{sku: 'book', qty: 1, price: 1250}]});
	// An empty body too, and the example itself is accepted.
	const empty = await post('/commands/placeOrder', '');
	assert.equal(empty.status, 400);
	assert.match(String(empty.json['error']), /body is empty.*a body that works/);
	assert.equal((await post('/commands/placeOrder', res.json['example'])).status, 202);
});

test('stopping leaves no heartbeat behind', async () => {
	await lab.stop();
	assert.deepEqual((await listActors(redis.client)).map((a) => `${a.name} ${a.detail}`), []);
});
