// The orders lab with a failure rate per service, on a private Redis: started
// with payments never failing and inventory always failing, every order is
// paid, runs out of stock, is refunded in full and cancelled; the p i s keys
// turn one service's rate, f all three, and the services table shows each.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {OrdersLab} from '../source/labs/orders/lab.js';
import {parseFailRates} from '../source/labs/orders/fail-rates.js';
import {readTimelines} from '../source/labs/orders/timeline.js';
import {ordersLines} from '../source/labs/view/orders-lines.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {memoryOutput} from './helpers/output.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;
let lab: OrdersLab;
const output = memoryOutput();
const {lines} = output;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
	// As `--fail-rate 0.3,payments=0,inventory=1` gives them: shipping keeps the bare 0.3.
	lab = new OrdersLab({session, output, port: 0, rate: 0, claimIdleMs: 1000, ...parseFailRates('0.3,payments=0,inventory=1', 0.1)});
	await lab.start();
});

after(async () => {
	await lab.stop();
	await session.close();
	await redis.stop();
});

/** Each failing service's rate as the snapshot's services table has it. */
async function shownRates(): Promise<Record<string, number | undefined>> {
	const snapshot = await lab.snapshot();
	return Object.fromEntries(snapshot.services.filter((s) => s.failRate !== undefined).map((s) => [s.name, s.failRate]));
}

test('the start line names each service’s rate', () => {
	assert.ok(lines.some((line) => line.includes('failure rates payments 0%, inventory 100%, shipping 30%')), lines.join('\n'));
});

test('payments=0, inventory=1: every order is paid, out of stock, refunded in full and cancelled; none ships', async () => {
	const ids: string[] = [];
	for (let i = 0; i < 20; i++) ids.push((await lab.placeOrder()).orderId);
	const timelines = await waitFor(async () => {
		const mine = (await readTimelines(redis.client, {perTopic: Infinity})).filter((t) => ids.includes(t.orderId));
		const done = mine.length === ids.length && mine.every((t) => t.terminal !== undefined && t.events.some((e) => e.type === 'customerNotified'));
		return done ? mine : undefined;
	}, 'all orders to end and be notified', 20_000);
	for (const t of timelines) {
		const types = t.events.map((e) => e.type);
		assert.equal(t.terminal, 'cancelled', `${t.orderId}: ${types.join(' ')}`);
		assert.equal(t.terminals, 1);
		assert.ok(t.taken > 0, `${t.orderId} was paid (payments never fails)`);
		assert.equal(t.refunded, t.taken, `${t.orderId}: refunded ${t.refunded} of ${t.taken}`);
		assert.deepEqual(types, ['orderCreated', 'paymentAuthorized', 'outOfStock', 'paymentRefunded', 'orderCancelled', 'customerNotified'], t.orderId);
	}
	const counters = await lab.counters();
	assert.deepEqual(
		{created: counters.created, shipped: counters.shipped, cancelled: counters.cancelled, open: counters.open, reserved: counters.reserved, violations: counters.violations},
		{created: 20, shipped: 0, cancelled: 20, open: 0, reserved: 0, violations: 0},
	);
	assert.equal(counters.refunded, counters.taken);
	assert.equal(counters.taken, timelines.reduce((sum, t) => sum + t.taken, 0));
});

test('p i s cycle one service’s rate, f all three; the services table shows each', async () => {
	const keys = lab.actions().map((a) => a.key);
	assert.deepEqual(keys, ['+', '-', 'o', 'f', 'p', 'i', 's', 'O', 'P', 'I', 'S', 'N']);
	const press = async (key: string) => {
		const action = lab.actions().find((a) => a.key === key);
		assert.ok(action, key);
		await action.run();
		return shownRates();
	};
	assert.deepEqual(await shownRates(), {payments: 0, inventory: 1, shipping: 0.3});
	assert.deepEqual(await press('p'), {payments: 0.1, inventory: 1, shipping: 0.3});
	// Past the last step (0.5) back to 0.
	assert.deepEqual(await press('i'), {payments: 0.1, inventory: 0, shipping: 0.3});
	// 0.3 is between steps: the next one up.
	assert.deepEqual(await press('s'), {payments: 0.1, inventory: 0, shipping: 0.5});
	assert.deepEqual(await press('p'), {payments: 0.25, inventory: 0, shipping: 0.5});
	// f moves all three on from the highest (0.5, the last step): back to 0.
	assert.deepEqual(await press('f'), {payments: 0, inventory: 0, shipping: 0});
	assert.deepEqual(await press('f'), {payments: 0.1, inventory: 0.1, shipping: 0.1});
	assert.deepEqual(await press('s'), {payments: 0.1, inventory: 0.1, shipping: 0.25});
	assert.ok(lines.includes('Failure rate shipping: 25%'), 'a knob change is said');
	assert.ok(lines.includes('Failure rate payments, inventory, shipping: 10%'));

	const table = ordersLines(await lab.snapshot(), 80, 24).map((line) => line.text);
	// A row: name, waiting, handled, fails, listens to.
	const fails = (service: string) => table.map((line) => new RegExp(`^${service} +\\d+ +\\d+ +(\\S+)`).exec(line)?.[1]).find((cell) => cell !== undefined);
	assert.deepEqual(['orders', 'payments', 'inventory', 'shipping', 'notifications'].map(fails), ['-', '10%', '10%', '25%', '-'], table.join('\n'));
});
