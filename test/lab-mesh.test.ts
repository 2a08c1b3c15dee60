// The mesh lab on real, separate redis-servers (the lab starts three): every
// order published on east reaches the billing group on west and the shipping
// group on edge once; a cut east-west link, a stopped edge broker and a
// removed then re-added group leave the totals exact: expected = read, none
// twice, none waiting once the backlog drained. The ticker is off (rate 0):
// the test publishes each order itself.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {MeshLab, meshTopic} from '../source/labs/mesh/lab.js';
import type {MeshLabSnapshot} from '../source/labs/mesh/snapshot.js';
import {summaryLine} from '../source/labs/summary.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';
import {memoryOutput} from './helpers/output.js';

let redis: TestRedis;
let session: RedisSession;
let lab: MeshLab;
const output = memoryOutput();
const {lines} = output;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
	lab = new MeshLab({session, output, port: 0, rate: 0});
	await lab.start();
});
after(async () => {
	await lab.stop();
	await session.close();
	await redis.stop();
});

async function publish(n: number): Promise<void> {
	for (let i = 0; i < n; i++) await lab.publish();
}

const consumer = (s: MeshLabSnapshot, group: string) => s.consumers.find((c) => c.group === group);

/** Waits until every consumer that is on read exactly what it expected, none twice, none waiting. */
async function settled(what: string): Promise<MeshLabSnapshot> {
	let last = '';
	return waitFor(async () => {
		const s = await lab.snapshot();
		last = summaryLine(s);
		return s.consumers.every((c) => !c.on || (c.expected > 0 && c.received === c.expected && c.waiting === 0 && c.doubled === 0)) ? s : undefined;
	}, `${what}: every consumer exact`, 30_000).catch((error: unknown) => {
		throw new Error(`${String(error)}; last ${last}`);
	});
}

describe('eda lab mesh', {timeout: 180_000}, () => {
	it('starts three brokers in a triangle; orders reach both groups once, by the direct routes', async () => {
		const start = await lab.snapshot();
		assert.deepEqual(start.brokers.map((b) => b.name), ['east', 'west', 'edge']);
		assert.equal(new Set(start.brokers.map((b) => b.url)).size, 3, 'three separate servers');
		assert.ok(!start.brokers.some((b) => b.url === redis.url), 'none of them the dashboard\'s own Redis');
		// Interest reaches east before the first order counts as expected.
		await waitFor(async () => (await lab.snapshot()).consumers.every((c) => c.routed), 'both groups\' interest known on east');
		await publish(40);
		const s = await settled('the first orders');
		assert.equal(consumer(s, 'billing')?.lastRoute, 'east→west');
		assert.equal(consumer(s, 'shipping')?.lastRoute, 'east→edge');
		assert.equal(s.topic, meshTopic);
	});

	it("GET / lists the lab's routes (cut, shipping, edge), each with a ready curl line on the real port", async () => {
		const usage = await (await fetch(`${lab.url}/`)).text();
		assert.match(usage, /^The mesh lab: /);
		for (const path of ['/mesh/cut', '/mesh/shipping', '/mesh/edge']) {
			assert.ok(usage.includes(`POST ${path}\n`), `${path} in:\n${usage}`);
			assert.ok(usage.includes(`curl -X POST '${lab.url}${path}'`), `a curl line for ${path} in:\n${usage}`);
		}
	});

	it('c cuts east-west: west waits and its backlog grows on east (edge is not a way round); healed, it drains, each order once', async () => {
		const before = consumer(await lab.snapshot(), 'billing')?.received ?? 0;
		assert.equal(lab.toggleCut(), true);
		let last = '';
		try {
			await waitFor(async () => (await lab.snapshot()).links.find((l) => l.link === 'east>west' && l.state === 'down'), 'east>west down');
			await publish(60);
			const cut = await waitFor(async () => {
				const s = await lab.snapshot();
				last = `${summaryLine(s)} ${JSON.stringify(s.links)}`;
				return consumer(s, 'shipping')?.waiting === 0 && consumer(s, 'billing')?.waiting === 60 && s.links.find((l) => l.link === 'east>west' && l.backlog >= 60) ? s : undefined;
			}, 'west waiting for all 60, the backlog on east, edge served').catch((error: unknown) => {
				throw new Error(`${String(error)}; last ${last}`);
			});
			assert.equal(cut.cut, 'east-west');
			assert.equal(consumer(cut, 'billing')?.received, before, 'nothing crossed the cut, nor went round it');
			assert.equal(cut.links.find((l) => l.link === 'edge>west')?.forwarded, 0, 'edge passes on nothing it was not sent for');
		} finally {
			assert.equal(lab.toggleCut(), false);
		}
		const healed = await settled('after the heal');
		assert.equal(consumer(healed, 'billing')?.received, before + 60);
		assert.equal(consumer(healed, 'billing')?.lastRoute, 'east→west');
	});

	it('an order published the moment the link is cut waits on east too: a read blocked at the cut does not carry it across', async () => {
		const settledBefore = await settled('before the cut');
		const before = consumer(settledBefore, 'billing')?.received ?? 0;
		assert.equal(lab.toggleCut(), true);
		try {
			// No wait for the link's state: the bridge is most likely inside its
			// blocking read (200 ms), which returns this order once it is stored.
			await publish(1);
			await new Promise((resolve) => setTimeout(resolve, 1500));
			const cut = await lab.snapshot();
			assert.equal(consumer(cut, 'billing')?.received, before, 'nothing crossed the cut');
		} finally {
			assert.equal(lab.toggleCut(), false);
		}
		const healed = await settled('after the heal');
		assert.equal(consumer(healed, 'billing')?.received, before + 1);
	});

	it('s stops the edge broker, then resumes it: edge catches up, each order once', async () => {
		assert.equal(lab.toggleEdge(), true);
		try {
			await publish(50);
			const stopped = await waitFor(async () => {
				const s = await lab.snapshot();
				return consumer(s, 'billing')?.waiting === 0 && (consumer(s, 'shipping')?.waiting ?? 0) > 0 ? s : undefined;
			}, 'west served, edge waiting');
			assert.equal(stopped.brokers.find((b) => b.name === 'edge')?.stopped, true);
		} finally {
			assert.equal(lab.toggleEdge(), false);
		}
		await settled('after edge resumed');
	});

	it('g removes the shipping group on edge and adds it back: edge gets what was published after, once', async () => {
		assert.equal(await lab.toggleShipping(), false);
		await waitFor(async () => consumer(await lab.snapshot(), 'shipping')?.routed === false, 'edge\'s interest withdrawn on east');
		await publish(20);
		await waitFor(async () => consumer(await lab.snapshot(), 'billing')?.waiting === 0, 'west served');
		assert.equal(await lab.toggleShipping(), true);
		// Counted from when edge's interest reached east again.
		await waitFor(async () => consumer(await lab.snapshot(), 'shipping')?.routed, 'shipping\'s interest back on east');
		await publish(30);
		const s = await settled('after the group came back');
		const shipping = consumer(s, 'shipping');
		assert.ok(shipping && shipping.on && shipping.expected >= 30, `the orders after it came back: ${JSON.stringify(shipping)}`);
		assert.match(summaryLine(s), /^\[mesh\] published 201 on east; billing on west expected \d+, read \d+, twice 0, waiting 0/);
		assert.ok(lines.some((line) => line.includes('Cut the east-west link')), 'the lab says what it did');
	});
});
