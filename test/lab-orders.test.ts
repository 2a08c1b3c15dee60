import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {listActors} from '../source/actors/heartbeat.js';
import {OrdersLab} from '../source/labs/orders/lab.js';
import {readTimelines} from '../source/labs/orders/timeline.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {memoryOutput} from './helpers/output.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;
let lab: OrdersLab;
const output = memoryOutput();

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
	lab = new OrdersLab({session, output, port: 0, rate: 0, failRate: 0.3, claimIdleMs: 1000});
	await lab.start();
});

after(async () => {
	await lab.stop();
	await session.close();
	await redis.stop();
});

async function settled(ids: string[]): Promise<boolean> {
	const timelines = await readTimelines(redis.client, {perTopic: Infinity});
	const mine = timelines.filter((t) => ids.includes(t.orderId));
	// Done means ended and the customer was told.
	return mine.length === ids.length && mine.every((t) => t.terminal !== undefined && t.events.some((e) => e.type === 'customerNotified'));
}

test('every order ends in exactly one terminal state and compensations balance', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 40; i++) ids.push((await lab.placeOrder()).orderId);
	await waitFor(() => settled(ids), 'all orders to end', 20_000);
	const timelines = (await readTimelines(redis.client, {perTopic: Infinity})).filter((t) => ids.includes(t.orderId));
	let shippedAmount = 0;
	for (const t of timelines) {
		assert.equal(t.terminals, 1, `order ${t.orderId} ended ${t.terminals} times`);
		const types = t.events.map((e) => e.type);
		if (t.terminal === 'cancelled') {
			assert.equal(t.refunded, t.taken, `order ${t.orderId}: refunded ${t.refunded} of ${t.taken} taken`);
			if (types.includes('stockReserved')) assert.ok(types.includes('stockReleased'), `order ${t.orderId} kept its stock`);
		} else {
			assert.equal(t.refunded, 0);
			assert.ok(t.taken > 0);
			shippedAmount += t.taken;
		}
		// Every event but the first answers another event of the same order.
		for (const e of t.events.slice(1)) assert.ok(e.answers, `${e.type} of ${t.orderId} answers nothing in its chain`);
	}
	const counters = await lab.counters();
	assert.equal(counters.violations, 0);
	assert.equal(counters.shipped + counters.cancelled, 40);
	assert.equal(counters.taken - counters.refunded, shippedAmount);
	// With a 30% failure rate per service, both ends and the compensations happen.
	assert.ok(timelines.some((t) => t.terminal === 'shipped'));
	assert.ok(timelines.some((t) => t.terminal === 'cancelled'));
});

test('a paused service leaves its events waiting in its group, then catches up', async () => {
	lab.setFailRate(0);
	lab.pause('shipping');
	const ids: string[] = [];
	for (let i = 0; i < 3; i++) ids.push((await lab.placeOrder()).orderId);
	await waitFor(async () => (await lab.snapshot()).services.find((s) => s.name === 'shipping')?.waiting === 3, 'three events waiting for shipping');
	const before = (await readTimelines(redis.client, {perTopic: Infinity})).filter((t) => ids.includes(t.orderId));
	assert.ok(before.every((t) => t.terminal === undefined));
	lab.resume('shipping');
	await waitFor(() => settled(ids), 'the paused orders to ship');
	const timelines = (await readTimelines(redis.client, {perTopic: Infinity})).filter((t) => ids.includes(t.orderId));
	assert.ok(timelines.every((t) => t.terminal === 'shipped'));
	assert.equal((await lab.snapshot()).services.find((s) => s.name === 'shipping')?.waiting, 0);
});

test('POST /orders places an order; bad bodies get 400', async () => {
	const ok = await fetch(`${lab.url}/orders`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({amount: 1234, customer: 'ada'})});
	assert.equal(ok.status, 202);
	const {orderId} = (await ok.json()) as {orderId: string};
	await waitFor(() => settled([orderId]), 'the posted order to end');
	const timeline = await fetch(`${lab.url}/orders/${orderId}`);
	assert.equal(timeline.status, 200);
	for (const body of ['{"amount":', '{"amount":"ten"}', '[1]', '{"customer":""}']) {
		const res = await fetch(`${lab.url}/orders`, {method: 'POST', headers: {'content-type': 'application/json'}, body});
		assert.equal(res.status, 400, body);
	}
});

test('POST /orders refuses what the topic routes refuse: a charset other than UTF-8, bytes that are not UTF-8, JSON nested past 512', async () => {
	// The lab parses its own bodies; a latin1 body was stored with U+FFFD in place of the é and answered 202.
	const before = await redis.client.xlen('eda:{lab.orders.orderCreated}:stream');
	const latin1 = Buffer.from('{"customer":"caf\xe9","amount":5}', 'latin1');
	const deep = `{"customer":"ada","extra":${'['.repeat(600)}${']'.repeat(600)}}`;
	const cases: [string, Buffer | string, number, RegExp][] = [
		['application/json; charset=latin1', latin1, 415, /charset "latin1"/],
		['application/json', latin1, 400, /not valid UTF-8 \(byte 16/],
		['application/json', deep, 400, /nests deeper than 512/],
	];
	for (const [type, body, status, message] of cases) {
		const res = await fetch(`${lab.url}/orders`, {method: 'POST', headers: {'content-type': type}, body});
		assert.equal(res.status, status, `${type} ${String(body).slice(0, 40)}`);
		assert.match(((await res.json()) as {error: string}).error, message);
	}
	assert.equal(await redis.client.xlen('eda:{lab.orders.orderCreated}:stream'), before, 'nothing stored');
});

test('an event stored by another process joins the choreography', async () => {
	const res = await fetch(`${lab.url}/topics/lab.orders.orderCreated`, {
		method: 'POST',
		headers: {'content-type': 'application/json', 'ce-correlationid': 'curl-1'},
		body: JSON.stringify({orderId: 'curl-1', amount: 700}),
	});
	assert.equal(res.status, 200);
	await waitFor(() => settled(['curl-1']), 'the curl order to end');
});

test("GET / lists the lab's routes with a ready curl line on the real port; a bad body shows one that works", async () => {
	const text = await (await fetch(`${lab.url}/`)).text();
	assert.ok(text.includes('POST /orders') && text.includes('GET /orders/<orderId>'), text);
	assert.ok(text.includes(`-d '{"customer": "ada", "amount": 4200}' '${lab.url}/orders'`), text);
	const res = await fetch(`${lab.url}/orders`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"amount": "ten"}'});
	assert.equal(res.status, 400);
	const answer = (await res.json()) as Record<string, unknown>;
	assert.equal(answer['error'], 'amount must be a whole number of cents, 0 or more; a body that works: {"customer": "ada", "amount": 4200}');
	assert.deepEqual(answer['example'], {customer: 'ada', amount: 4200});
});

test('stopping leaves no heartbeat behind', async () => {
	await lab.stop();
	assert.deepEqual((await listActors(redis.client)).map((a) => `${a.name} ${a.detail}`), []);
});
