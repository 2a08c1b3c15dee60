// Mesh tests' shared steps: brokers as private redis-servers, `eda mesh` as a
// real process, interest made the ways a user makes it, and counts read back
// from each broker's stream.
import assert from 'node:assert/strict';
import type {Redis} from 'ioredis';
import {keys} from '../../source/redis/keys.js';
import {readRoutes} from '../../source/mesh/interest.js';
import {publishEvents} from '../../source/topics/publish.js';
import type {OutgoingEvent} from '../../source/topics/envelope.js';
import {spawnCli, type CliProcess} from './process.js';
import {startTestRedis, waitFor, type TestRedis} from './redis.js';

export type Brokers = Record<string, TestRedis>;

export async function startBrokers(names: string[], options: {appendOnly?: boolean} = {}): Promise<Brokers> {
	const brokers: Brokers = {};
	for (const name of names) brokers[name] = await startTestRedis(options);
	return brokers;
}

export async function stopBrokers(brokers: Brokers): Promise<void> {
	await Promise.all(Object.values(brokers).map((broker) => broker.stop()));
}

/** `eda mesh` over these brokers and links ("a-b"); resolves once it says it runs. */
export async function startMesh(brokers: Record<string, {url: string}>, links: string[], extra: string[] = []): Promise<CliProcess> {
	const args = ['mesh', ...Object.entries(brokers).flatMap(([name, broker]) => ['--broker', `${name}=${broker.url}`]), ...links.flatMap((link) => ['--link', link]), ...extra];
	const proc = spawnCli(args);
	await proc.waitForLine('Mesh running', 'the mesh to start');
	return proc;
}

/** A consumer group on a topic (interest), entered in the topic index as `eda consumer -g` does. */
export async function addGroup(redis: Redis, topic: string, group = 'app'): Promise<void> {
	await redis.xgroup('CREATE', keys.stream(topic), group, '$', 'MKSTREAM');
	await redis.hsetnx(keys.topics, topic, Date.now());
}

/** Waits until `on` has a route for `topic` to `to`: its interest reached that broker. */
export async function routeKnown(on: Redis, topic: string, to: string): Promise<void> {
	await waitFor(async () => (await readRoutes(on)).has(`${topic} ${to}`), `a route for ${topic} to ${to}`, 15_000);
}

let counter = 0;

/** Publishes `n` events on `topic` through the one publish path; returns their envelope ids. */
export async function publishMany(redis: Redis, topic: string, n: number, tag: string, retain = 1_000_000): Promise<string[]> {
	const ids: string[] = [];
	for (let start = 0; start < n; start += 5000) {
		const events: OutgoingEvent[] = [];
		for (let i = start; i < Math.min(n, start + 5000); i++) {
			const id = `${tag}-${++counter}`;
			ids.push(id);
			const data = JSON.stringify({n: i, tag});
			events.push({envelope: {specversion: '1.0', id, source: `test/${tag}`, type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data}, wire: data});
		}
		await publishEvents(redis, topic, events, retain);
	}
	return ids;
}

/** Every envelope id in a broker's stream of a topic, in order. */
export async function streamIds(redis: Redis, topic: string): Promise<string[]> {
	const entries = await redis.xrange(keys.stream(topic), '-', '+');
	return entries.map(([, fields]) => {
		const at = fields.indexOf('id');
		return fields[at + 1] as string;
	});
}

/** Waits until the stream holds `count` entries, then checks it holds exactly `expected` (each once). */
export async function expectExactly(redis: Redis, topic: string, expected: string[], what: string, timeoutMs = 20_000): Promise<void> {
	await waitFor(async () => (await redis.xlen(keys.stream(topic))) >= expected.length, `${expected.length} events on ${what}`, timeoutMs).catch(async (error: Error) => {
		throw new Error(`${error.message}; has ${await redis.xlen(keys.stream(topic))}`);
	});
	const ids = await streamIds(redis, topic);
	assert.equal(new Set(ids).size, ids.length, `no duplicate ids on ${what}`);
	assert.deepEqual([...ids].sort(), [...expected].sort(), `exactly the expected events on ${what}`);
}
