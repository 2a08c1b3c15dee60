// The core of eda on a real 3-master Redis Cluster: publish and batch through
// the producer, groups, the deferred lifecycle with the Go tool's side played
// by `redis-cli -c`, the dashboard's snapshot and discovery.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {after, before, test} from 'node:test';
import {GroupConsumer} from '../source/actors/group-consumer.js';
import {Heartbeat, listActors} from '../source/actors/heartbeat.js';
import {readSnapshot} from '../source/dashboard/feed/snapshot.js';
import {DeferredMaster} from '../source/deferred/master.js';
import {DeferredStore} from '../source/deferred/store.js';
import {DeferredWorker} from '../source/deferred/worker.js';
import {startProducer, type RunningProducer} from '../source/producer/server.js';
import {deferredKeys, goCompat, keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {listTopics} from '../source/topics/list.js';
import {startTestCluster, type TestCluster} from './helpers/cluster.js';
import {request} from './helpers/http.js';
import {waitFor} from './helpers/redis.js';

const run = promisify(execFile);

let cluster: TestCluster;
let session: RedisSession;
let producer: RunningProducer;

before(async () => {
	cluster = await startTestCluster();
	session = await openRedisSession({url: cluster.url, cluster: true, say: () => undefined});
	producer = await startProducer({session, output: {emit: () => undefined}, port: 0});
	await waitFor(async () => (await request(producer.url, '/healthz')).status === 200, 'the producer on the cluster');
});

after(async () => {
	await producer?.close();
	await session?.close();
	await cluster?.stop();
});

const json = {contentType: 'application/json'};

test('GET /healthz shows the cluster: masters up, slots covered, the nodes of each connection', async () => {
	const health = (await request(producer.url, '/healthz')).json();
	const status = health['cluster'] as {mastersUp: number; masters: number; slotsCovered: number; connections: {name: string; nodes: string[]}[]};
	assert.equal(status.mastersUp, 3);
	assert.equal(status.slotsCovered, 16_384);
	assert.ok(status.connections.some((c) => c.name.startsWith('producer') && c.nodes.length >= 1), JSON.stringify(status.connections));
});

test('GET /asyncapi.json names the first seed in its servers, as eda portal export does (a cluster client names no node)', async () => {
	const doc = (await request(producer.url, '/asyncapi.json')).json() as {servers: {redis: {host: string; description: string}}};
	const first = new URL(cluster.url.split(',')[0] ?? '');
	assert.equal(doc.servers.redis.host, `${first.hostname}:${first.port}`, JSON.stringify(doc.servers));
	assert.match(doc.servers.redis.description, new RegExp(`redis://127\\.0\\.0\\.1:${first.port}$`));
});

test('publish and batch through the producer: 100 topics, their streams on every master', async () => {
	for (let i = 0; i < 100; i++) {
		const one = await request(producer.url, `/topics/spread.${i}`, {...json, body: JSON.stringify({n: i})});
		assert.equal(one.status, 200, one.text);
	}
	const batch = await request(producer.url, '/topics/spread.0/batch', {...json, body: JSON.stringify([{n: 'a'}, {n: 'b'}])});
	assert.equal(batch.status, 200, batch.text);
	assert.equal(await cluster.client.xlen(keys.stream('spread.0')), 3);
	const owners = new Set<number>();
	for (let i = 0; i < 100; i++) owners.add((await cluster.masterOf(keys.stream(`spread.${i}`))).port);
	assert.deepEqual([...owners].sort(), await cluster.masterPorts(), 'every master holds some topics');
	// Each master's own keys: the streams are really there, not only routed.
	for (const node of cluster.client.nodes('master')) {
		const [, found] = await node.scan('0', 'MATCH', 'eda:{spread.*}:stream', 'COUNT', 1000);
		assert.ok(found.length > 0, `master ${node.options.port} holds streams`);
	}
	const listed = await listTopics(cluster.client as never);
	assert.equal(listed.filter((t) => t.topic.startsWith('spread.')).length, 100);
});

test('a consumer group on the cluster gets every event once', async () => {
	const seen: string[] = [];
	const member = new GroupConsumer({session, topic: 'grouped', group: 'g', output: {emit: () => undefined}, quiet: true, handler: (envelope) => void seen.push(String(envelope.data))});
	await member.start();
	try {
		for (let i = 0; i < 5; i++) assert.equal((await request(producer.url, '/topics/grouped', {...json, body: JSON.stringify({i})})).status, 200);
		await waitFor(() => seen.length === 5, 'the group member to get 5 events');
		const pending = (await cluster.client.xpending(keys.stream('grouped'), 'g')) as [number];
		await waitFor(async () => ((await cluster.client.xpending(keys.stream('grouped'), 'g')) as [number])[0] === 0, `every entry acknowledged (${pending[0]})`);
	} finally {
		await member.stop();
	}
});

test('the deferred lifecycle on the cluster, and the Go side on message:queue through redis-cli -c', async () => {
	const redis = session.connect('eda:test:deferred');
	const store = new DeferredStore(redis);
	const [a, b] = await store.enqueueMany([
		{body: '{"n":1}', delayMs: 0},
		{body: '{"n":2}', delayMs: 0},
	]);
	assert.ok(a && b);
	assert.equal((await store.promote()).moved, 2);
	const seed = cluster.nodes[0];
	assert.ok(seed);
	// The Go master's LPUSH, by a cluster-aware client that follows MOVED.
	await run('redis-cli', ['-c', '-p', String(seed.port), 'LPUSH', goCompat.workQueue, '{"go":1}']);
	const claimed = await store.claim(3, 'w1', 60_000, 2);
	assert.deepEqual(claimed.events.map((e) => e.body).sort(), ['{"go":1}', '{"n":1}', '{"n":2}']);
	const [first, second, third] = claimed.events;
	assert.ok(first && second && third);
	assert.equal(await store.complete(first.id, first.token), true);
	assert.equal((await store.fail(second.id, second.token, 'boom', 2, 10)).outcome, 'retry');
	assert.equal((await store.fail(third.id, third.token, 'boom', 1, 10)).outcome, 'dead');
	await waitFor(async () => (await store.promote()).moved === 1, 'the retry due again');
	// The Go worker's RPOP, through redis-cli -c: it takes the retried body.
	const {stdout} = await run('redis-cli', ['-c', '-p', String(seed.port), 'RPOP', goCompat.workQueue]);
	assert.equal(stdout.trim(), second.body);
	assert.equal(await store.retry(third.id).then((r) => r.moved), 1);
	const snap = await readSnapshot(redis, []);
	assert.equal(snap.counts.dead, 0);
	assert.equal(snap.counts.ready, 1);
	assert.ok(snap.counters.dead >= 1 && snap.counters.done >= 1);
});

test('the dashboard snapshot and discovery: topics, subscribers on any node, actors', async () => {
	const beat = new Heartbeat(session.connect('eda:test:beat'), 'worker:cluster:1:x', 'worker');
	await beat.beat();
	const sub = session.connect('eda:test:sub');
	await sub.subscribe('spread.7');
	try {
		const snap = await readSnapshot(cluster.client as never, ['spread.7', 'grouped']);
		assert.equal(snap.topics.find((t) => t.name === 'spread.7')?.subscribers, 1);
		assert.equal(snap.topics.find((t) => t.name === 'grouped')?.groups.length, 1);
		assert.ok(snap.topics.filter((t) => t.name.startsWith('spread.')).length >= 100);
		assert.ok((await listActors(cluster.client as never)).some((a) => a.name === beat.name));
	} finally {
		await beat.stop();
	}
});

test('named queues: each its own tag and list, spread over the masters; a master and a worker per queue drain it', async () => {
	// Three names whose tags hash to three different masters.
	const names: string[] = [];
	const owners = new Set<number>();
	for (let i = 0; names.length < 3; i++) {
		const owner = (await cluster.masterOf(`{q${i}}`)).port;
		if (owners.has(owner)) continue;
		owners.add(owner);
		names.push(`q${i}`);
	}
	const done = new Map<string, string[]>();
	const actors = names.flatMap((queue) => [
		new DeferredMaster(session, {emit: () => undefined}, {queue}),
		new DeferredWorker(session, {emit: () => undefined}, {queue, intervalMs: 0, concurrency: 1, leaseMs: 5000, maxAttempts: 2, backoffMs: 10, handler: async (event) => void done.set(queue, [...(done.get(queue) ?? []), event.body])}),
	]);
	for (const actor of actors) await actor.start();
	try {
		for (const queue of names) {
			const reply = await request(producer.url, `/deferred-exec?queue=${queue}`, {...json, body: JSON.stringify({queue})});
			assert.equal(reply.status, 200, reply.text);
			assert.equal(reply.json()['queue'], queue);
		}
		assert.equal((await request(producer.url, '/deferred-exec?queue=a{b}', {...json, body: '{}'})).status, 400);
		await waitFor(() => names.every((q) => done.get(q)?.length === 1), 'each queue drained by its own worker');
		for (const queue of names) assert.deepEqual(done.get(queue), [JSON.stringify({queue})]);
		const snap = await readSnapshot(cluster.client as never, []);
		assert.deepEqual(snap.namedQueues?.map((q) => q.name), [...names].sort());
		const stats = await Promise.all(names.map((q) => cluster.client.hget(deferredKeys(q).stats, 'done')));
		assert.deepEqual(stats, ['1', '1', '1']);
	} finally {
		for (const actor of actors) await actor.stop();
	}
});
