// The mesh under faults, real processes on separate redis-servers: a bridge
// process SIGKILLed mid-batch and a broker SIGSTOPped then resumed. Totals
// stay exact and no envelope id is stored twice.
import assert from 'node:assert/strict';
import {after, describe, test} from 'node:test';
import {keys} from '../source/redis/keys.js';
import {readLinkStates} from '../source/mesh/figures.js';
import {addGroup, expectExactly, publishMany, routeKnown, startBrokers, startMesh, stopBrokers, streamIds, type Brokers} from './helpers/mesh.js';
import type {Redis} from 'ioredis';

const streamIdsOf = (redis: Redis) => streamIds(redis, 'orders');
import {stopAllCli} from './helpers/process.js';
import {waitFor} from './helpers/redis.js';

const started: Brokers[] = [];
after(async () => {
	await stopAllCli();
	for (const brokers of started) await stopBrokers(brokers);
});

async function brokers(...names: string[]): Promise<Brokers> {
	const made = await startBrokers(names);
	started.push(made);
	return made;
}

describe('eda mesh under faults', () => {
	test('the mesh process SIGKILLed mid-batch: a new one takes over what it held; every event once', async () => {
		const {a, b} = await brokers('a', 'b');
		await addGroup(b!.client, 'orders');
		const first = await startMesh({a: a!, b: b!}, ['a-b'], ['--claim-idle', '1s']);
		await routeKnown(a!.client, 'orders', 'b');
		const ids = await publishMany(a!.client, 'orders', 9000, 'a');
		// Fewer than a stream keeps (10,000 by default), so b's stream shows them all.
		// Killed while events are on their way: some arrived, not all.
		const arrived = await waitFor(async () => (await b!.client.xlen(keys.stream('orders'))) || undefined, 'the first events on b');
		first.signal('SIGKILL');
		await first.exited;
		const atKill = await b!.client.xlen(keys.stream('orders'));
		assert.ok(arrived > 0 && atKill < ids.length, `killed mid-run (${atKill} of ${ids.length} arrived)`);
		const second = await startMesh({a: a!, b: b!}, ['a-b'], ['--claim-idle', '1s']);
		await expectExactly(b!.client, 'orders', ids, 'b', 60_000);
		await waitFor(async () => (await readLinkStates(b!.client)).find((s) => s.link === 'a>b' && s.backlog === 0 && s.pid === second.pid), 'a>b drained');
		await expectExactly(b!.client, 'orders', ids, 'b');
		await second.stop();
	});

	test('a destination broker SIGSTOPped then resumed: the backlog waits on the source and drains, each event once', async () => {
		const {a, b} = await brokers('a', 'b');
		await addGroup(b!.client, 'orders');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b']);
		await routeKnown(a!.client, 'orders', 'b');
		const before = await publishMany(a!.client, 'orders', 500, 'before');
		await expectExactly(b!.client, 'orders', before, 'b');
		b!.pause();
		// With no event moving, the link still finds out (and says so in a's record).
		await waitFor(async () => (await readLinkStates(a!.client)).find((s) => s.link === 'a>b' && s.state === 'down'), 'a>b down with no traffic', 20_000);
		const during = await publishMany(a!.client, 'orders', 2000, 'during');
		// The link says it is down, with the events behind it, in a's own record.
		await waitFor(async () => (await readLinkStates(a!.client)).find((s) => s.link === 'a>b' && s.state === 'down' && s.backlog > 0), 'a>b down with a backlog', 20_000);
		b!.resume();
		await expectExactly(b!.client, 'orders', [...before, ...during], 'b', 30_000);
		await waitFor(async () => (await readLinkStates(a!.client)).find((s) => s.link === 'a>b' && s.state === 'up' && s.backlog === 0), 'a>b up and drained', 20_000);
		await expectExactly(b!.client, 'orders', [...before, ...during], 'b');
		await mesh.stop();
	});

	test('a source broker SIGSTOPped then resumed: what it took while stopped goes on afterwards, each event once', async () => {
		const {a, b} = await brokers('a', 'b');
		await addGroup(b!.client, 'orders');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b']);
		await routeKnown(a!.client, 'orders', 'b');
		const before = await publishMany(a!.client, 'orders', 1000, 'before');
		a!.pause();
		await mesh.waitUntil(async () => (await readLinkStates(b!.client)).find((s) => s.link === 'a>b' && s.state === 'down'), 'a>b down (seen on b)', 20_000);
		a!.resume();
		const after = await publishMany(a!.client, 'orders', 1000, 'after');
		await expectExactly(b!.client, 'orders', [...before, ...after], 'b', 30_000);
		await mesh.stop();
	});

	test('a source broker stopped before the link had any topic stays down until it answers again', async () => {
		// No interest anywhere: the bridge has no group to read, so only its refresh
		// talks to the source. It used to mark the source up each time it found no
		// stream to read, so the link read as up ten times a second while a was stopped.
		const {a, b} = await brokers('a', 'b');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b']);
		await mesh.waitUntil(async () => (await readLinkStates(b!.client)).find((s) => s.link === 'a>b' && s.state === 'up'), 'a>b up (seen on b)', 20_000);
		a!.pause();
		await mesh.waitUntil(async () => (await readLinkStates(b!.client)).find((s) => s.link === 'a>b' && s.state === 'down'), 'a>b down (seen on b)', 20_000);
		// The mesh rewrites each link's record every second: ten reads over five seconds.
		const seen: string[] = [];
		for (let i = 0; i < 10; i++) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			seen.push((await readLinkStates(b!.client)).find((s) => s.link === 'a>b')?.state ?? 'missing');
		}
		assert.deepEqual(seen, Array(10).fill('down'), 'a>b stays down while a is stopped');
		a!.resume();
		await mesh.waitUntil(async () => (await readLinkStates(b!.client)).find((s) => s.link === 'a>b' && s.state === 'up'), 'a>b up again after a resumed', 20_000);
		await mesh.stop();
	});

	test('retention keeps what a down link owes, up to --max-backlog; past it the link counts exactly what it dropped', async () => {
		const {a, b} = await brokers('a', 'b');
		await addGroup(b!.client, 'orders');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b'], ['--max-backlog', '1000']);
		await routeKnown(a!.client, 'orders', 'b');
		const retain = 100;
		const before = await publishMany(a!.client, 'orders', 50, 'before', retain);
		await expectExactly(b!.client, 'orders', before, 'b');
		await waitFor(async () => (await a!.client.hget(keys.mesh.hold('orders'), 'cap')) === '1000', 'the hold on a');
		b!.pause();
		// Six times what the producer's --retain keeps: all of it stays on a for the link.
		const owed = await publishMany(a!.client, 'orders', 600, 'owed', retain);
		assert.ok((await a!.client.xlen(keys.stream('orders'))) >= 600, 'a keeps what b has not got');
		// Past the cap the oldest go: more than the cap and the two reads a bridge may hold (1,000
		// entries each, held while it waits for b) together.
		const more = await publishMany(a!.client, 'orders', 4000, 'more', retain);
		assert.equal(await a!.client.xlen(keys.stream('orders')), 1000, 'a keeps at most --max-backlog');
		b!.resume();
		const sent = [...before, ...owed, ...more];
		const state = await waitFor(async () => (await readLinkStates(a!.client)).find((s) => s.link === 'a>b' && s.state === 'up' && s.backlog === 0 && s.dropped > 0), 'a>b drained, with drops counted', 30_000).catch(async (e: Error) => { throw new Error(`${e.message} ${JSON.stringify(await readLinkStates(a!.client))} b has ${await b!.client.xlen(keys.stream('orders'))}`); });
		const arrived = await waitFor(async () => {
			const ids = await streamIdsOf(b!.client);
			return ids.length + state.dropped === sent.length ? ids : undefined;
		}, 'every event either arrived or counted as dropped');
		assert.equal(new Set(arrived).size, arrived.length, 'no duplicates on b');
		const sentSet = new Set(sent);
		assert.ok(arrived.every((id) => sentSet.has(id)));
		// What was dropped is the oldest owed, never the newest the stream kept.
		assert.ok(state.dropped > 0);
		assert.ok(more.slice(-1000).every((id) => arrived.includes(id)), 'the newest all arrived');
		await mesh.stop();
	});
});
