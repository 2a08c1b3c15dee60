// Interest that changes while the mesh runs, on real separate redis-servers:
// nothing flows before a broker wants a topic, exactly what is published after
// while it does, nothing after its group is deleted. And how long a new
// subscriber two hops away waits for its first event (a figure, reported).
import assert from 'node:assert/strict';
import {after, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {keys} from '../source/redis/keys.js';
import {readRoutes} from '../source/mesh/interest.js';
import {readLinkStates} from '../source/mesh/figures.js';
import {publishMany, routeKnown, startBrokers, startMesh, stopBrokers, streamIds, addGroup, type Brokers} from './helpers/mesh.js';
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

/** Whether stream id `a` comes after `b`. */
function idAfter(a: string | null, b: string): boolean {
	if (!a) return false;
	const [am = 0n, as = 0n] = a.split('-').map(BigInt);
	const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
	return am > bm || (am === bm && as > bs);
}

describe('eda mesh with interest changing mid-run', () => {
	test('a group made, then deleted, on b: b gets exactly what was published while it was there', async () => {
		const {a, b} = await brokers('a', 'b');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b']);
		await publishMany(a!.client, 'orders', 100, 'nobody');
		// The topic is known on a; b wants nothing yet.
		await waitFor(async () => (await readRoutes(a!.client)).size === 0 && (await a!.client.hexists(keys.topics, 'orders')), 'a with no route');
		await addGroup(b!.client, 'orders');
		await routeKnown(a!.client, 'orders', 'b');
		const wanted = await publishMany(a!.client, 'orders', 100, 'wanted');
		await waitFor(async () => (await streamIds(b!.client, 'orders')).length === 100, 'the wanted events on b');
		await waitFor(async () => (await readLinkStates(a!.client)).find((s) => s.link === 'a>b' && s.topics.includes('orders')), 'a>b carrying orders');
		await b!.client.xgroup('DESTROY', keys.stream('orders'), 'app');
		await waitFor(async () => !(await readRoutes(a!.client)).has('orders b'), 'the route withdrawn on a');
		// And the bridge has seen it: events published before that may still go, as in any mesh.
		await waitFor(async () => (await readLinkStates(a!.client)).find((s) => s.link === 'a>b' && !s.topics.includes('orders')), 'a>b no longer carrying orders');
		await publishMany(a!.client, 'orders', 100, 'unwanted');
		// Once a's hold is past the newest entry, a>b has read and let go of all of them.
		const [newest] = (await a!.client.xrevrange(keys.stream('orders'), '+', '-', 'COUNT', 1))[0] ?? [''];
		await waitFor(async () => idAfter(await a!.client.hget(keys.mesh.hold('orders'), 'floor'), newest), 'a>b past the unwanted events (the hold on a past the newest)', 20_000);
		assert.deepEqual((await streamIds(b!.client, 'orders')).sort(), [...wanted].sort());
		await mesh.stop();
	});

	test('a new subscriber two hops away: how long until its first event (reported, not asserted)', async (t) => {
		const {a, b, c} = await brokers('a', 'b', 'c');
		const mesh = await startMesh({a: a!, b: b!, c: c!}, ['a-b', 'b-c']);
		// A steady flow on a: one event every 10 ms.
		let publishing = true;
		const flow = (async () => {
			while (publishing) {
				await publishMany(a!.client, 'late', 1, 'flow');
				await new Promise((resolve) => setTimeout(resolve, 10));
			}
		})();
		await waitFor(async () => a!.client.hexists(keys.topics, 'late'), 'the flow started');
		const subscriber = new Redis(c!.url);
		subscriber.on('error', () => undefined);
		let first = 0;
		subscriber.on('message', () => (first ||= Date.now()));
		const subscribedAt = Date.now();
		await subscriber.subscribe('late');
		await waitFor(() => first, 'the first event at the new subscriber on c');
		t.diagnostic(`new subscriber two hops away received its first event after ${first - subscribedAt} ms`);
		publishing = false;
		await flow;
		subscriber.disconnect();
		await mesh.stop();
	});
});
