// `eda lab` as a user runs it, as a real process on a private Redis: bad
// --fail-rate and --burst values are usage errors (exit 2, one line, the usage,
// no stack trace); the headless labs take their flags, print their lines, and
// stop on SIGINT with exit 0 and no heartbeat left behind.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {keys} from '../source/redis/keys.js';
import {labKeys} from '../source/labs/keys.js';
import {runCli, spawnCli, stackTrace, stopAllCli} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;

before(async () => {
	redis = await startTestRedis();
});

after(async () => {
	await stopAllCli();
	await redis.stop();
});

async function assertUsageError(args: string[], message: RegExp): Promise<void> {
	const result = await runCli([...args, '--port', '0', '--redis-url', redis.url]);
	assert.deepEqual([result.code, result.signal], [2, null], `exit of ${args.join(' ')}; stderr: ${result.stderr}`);
	const said = result.stderr.split('\n').filter((line) => line !== '');
	assert.equal(said.length, 1, `one line: ${result.stderr}`);
	assert.match(said[0] ?? '', message);
	assert.match(result.stdout, /eda lab <name>/, 'the usage is printed');
	assert.doesNotMatch(result.stderr + result.stdout, stackTrace);
}

describe('eda lab: bad --fail-rate and --burst are usage errors', {concurrency: 4}, () => {
	test('an unknown service names the ones that can fail', async () => {
		await assertUsageError(['lab', 'orders', '--fail-rate', 'payments=0.3,billing=1'], /^--fail-rate "payments=0.3,billing=1": unknown service "billing"; the services that can fail are payments, inventory, shipping$/);
	});
	test('a share outside 0..1', async () => {
		await assertUsageError(['lab', 'orders', '--fail-rate', 'shipping=1.5'], /^--fail-rate "shipping=1.5": shipping: "1.5" is not a share from 0 to 1/);
	});
	test('an empty part', async () => {
		await assertUsageError(['lab', 'orders', '--fail-rate=0.1,,inventory=0'], /^--fail-rate "0.1,,inventory=0": an empty part/);
	});
	test('--burst 0', async () => {
		await assertUsageError(['lab', 'deferred', '--burst', '0'], /^--burst: expected a whole number from 1 to 1000, got "0"$/);
	});
	test('--burst 5000', async () => {
		await assertUsageError(['lab', 'deferred', '--burst', '5000'], /^--burst: expected a whole number from 1 to 1000/);
	});
	test('--burst to the orders lab', async () => {
		await assertUsageError(['lab', 'orders', '--burst', '5'], /^eda lab orders does not take --burst; eda lab deferred does$/);
	});
});

describe('eda lab headless, until SIGINT', () => {
	test('orders with payments=0,inventory=1: its lines, every order cancelled; SIGINT: exit 0, no heartbeat left', async () => {
		const proc = spawnCli(['lab', 'orders', '--rate', '20', '--fail-rate', 'payments=0,inventory=1', '--port', '0', '--redis-url', redis.url]);
		await proc.waitForLine('failure rates payments 0%, inventory 100%, shipping 10%', 'the start line with each rate');
		await proc.waitForLine(/^inventory +ord-\S+ +paymentAuthorized → outOfStock$/, 'inventory failing an order');
		await proc.waitForLine(/^orders +ord-\S+ +paymentRefunded → orderCancelled$/, 'an order cancelled after its refund');
		assert.ok((await redis.client.keys(keys.actor('*'))).length > 0, 'heartbeats while it runs');
		proc.signal('SIGINT');
		assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
		assert.doesNotMatch(proc.stdout() + proc.stderr(), stackTrace);
		assert.deepEqual(await redis.client.keys(keys.actor('*')), [], 'no heartbeat left');
		assert.ok(!proc.lines().some((line) => / → (stockReserved|orderShipped)/.test(line)), 'nothing reserved or shipped');
		const counters = await redis.client.hgetall(labKeys.orders.counters);
		assert.equal(counters['shipped'] ?? '0', '0');
		assert.ok(Number(counters['cancelled']) >= 1);
	});

	test('its reader goes away (`eda lab orders | head -3`): it stops as on SIGTERM, exit 0, no heartbeat left', async () => {
		const proc = spawnCli(['lab', 'orders', '--rate', '20', '--port', '0', '--redis-url', redis.url]);
		await proc.waitForLine(/^orders +ord-\S+/, 'an order line');
		await waitFor(async () => (await redis.client.keys(keys.actor('*'))).length > 0, 'heartbeats while it runs');
		// What `head` does once it has its lines: close the pipe's reading end.
		proc.child.stdout?.destroy();
		assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
		assert.doesNotMatch(proc.stderr(), stackTrace);
		assert.deepEqual(await redis.client.keys(keys.actor('*')), [], 'no heartbeat left: the actors stopped, not just the process');
	});

	test('Ctrl-C to a whole pipeline (its reader gone while it stops): the stop started by the signal finishes, exit 0', async () => {
		const proc = spawnCli(['lab', 'orders', '--rate', '50', '--port', '0', '--redis-url', redis.url]);
		await proc.waitForLine(/^orders +ord-\S+/, 'an order line');
		proc.signal('SIGINT');
		proc.child.stdout?.destroy();
		assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
		assert.deepEqual(await redis.client.keys(keys.actor('*')), [], 'no heartbeat left');
	});

	test('the reader goes first, then Ctrl-C within the second: one stop, exit 0 (not 130)', async () => {
		const proc = spawnCli(['lab', 'orders', '--rate', '50', '--port', '0', '--redis-url', redis.url]);
		await proc.waitForLine(/^orders +ord-\S+/, 'an order line');
		proc.child.stdout?.destroy();
		// At 50 orders a second its next line hits the closed pipe at once; the stop has begun.
		await new Promise((resolve) => setTimeout(resolve, 200));
		proc.signal('SIGINT');
		assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
		assert.deepEqual(await redis.client.keys(keys.actor('*')), [], 'no heartbeat left');
	});

	test('deferred --burst 3: one burst of three tasks; SIGINT: exit 0, no heartbeat left', async () => {
		const proc = spawnCli(['lab', 'deferred', '--burst', '3', '--json', '--port', '0', '--redis-url', redis.url]);
		const line = await proc.waitForLine(/"event":"burst"/, 'the burst record');
		const record = JSON.parse(line) as Record<string, unknown>;
		assert.deepEqual([record['actor'], record['burst'], record['size']], ['lab:deferred', 1, 3]);
		// Each task went through POST /deferred-exec: three enqueued, no more.
		assert.equal(await redis.client.hget(keys.deferred.stats, 'enqueued'), '3');
		proc.signal('SIGINT');
		assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
		assert.doesNotMatch(proc.stdout() + proc.stderr(), stackTrace);
		assert.deepEqual(await redis.client.keys(keys.actor('*')), [], 'no heartbeat left');
		for (const out of proc.lines()) JSON.parse(out);
	});
});
