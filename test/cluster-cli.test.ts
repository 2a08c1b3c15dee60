// The commands as a user runs them, real processes on a real 3-master
// cluster: the labs, eda deferred with a named queue, browsing events (events,
// trace, groups, replay), and a seed with a password that never shows.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import type {Redis} from 'ioredis';
import {keys} from '../source/redis/keys.js';
import {publishEvents} from '../source/topics/publish.js';
import {runCli, spawnCli, stackTrace, stopAllCli} from './helpers/process.js';
import {startTestCluster, type TestCluster} from './helpers/cluster.js';
import {waitFor} from './helpers/redis.js';

let cluster: TestCluster;

before(async () => {
	cluster = await startTestCluster();
});

after(async () => {
	await stopAllCli();
	await cluster.stop();
});

const on = () => ['--cluster', '--redis-url', cluster.url];

test('eda lab orders on the cluster: orders flow through every service; SIGINT: exit 0, no heartbeat left', async () => {
	const proc = spawnCli(['lab', 'orders', '--rate', '20', '--port', '0', ...on()]);
	await proc.waitForLine(/^orders +ord-\S+/, 'an order line');
	await proc.waitForLine(/^shipping +ord-\S+/, 'an order shipped (or failing) after payment and stock');
	proc.signal('SIGINT');
	assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
	assert.doesNotMatch(proc.stdout() + proc.stderr(), stackTrace);
	assert.doesNotMatch(proc.stdout() + proc.stderr(), /CROSSSLOT|unavailable/);
	assert.equal(await cluster.client.zcard(keys.actors), 0, 'no heartbeat left');
});

test('eda lab deferred on the cluster: a burst goes through POST /deferred-exec to the workers', async () => {
	const proc = spawnCli(['lab', 'deferred', '--burst', '3', '--json', '--port', '0', ...on()]);
	await proc.waitForLine(/"event":"burst"/, 'the burst record');
	await waitFor(async () => (await cluster.client.hget(keys.deferred.stats, 'enqueued')) === '3', 'three enqueued');
	proc.signal('SIGINT');
	assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
	assert.doesNotMatch(proc.stdout() + proc.stderr(), /CROSSSLOT/);
});

test('eda deferred list --queue on the cluster; a password in a seed never shows', async () => {
	const queue = 'reports';
	await cluster.client.lpush(`eda:{${queue}}:queue`, '{"r":1}');
	const listed = await runCli(['deferred', 'list', '--queue', queue, ...on()]);
	assert.equal(listed.code, 0, listed.stderr);
	assert.match(listed.stdout, /Ready in eda:\{reports\}:queue \(1\)/);
	const [first, ...rest] = cluster.url.split(',');
	const withPassword = [first?.replace('redis://', 'redis://:hunter2@'), ...rest].join(',');
	const refused = await runCli(['deferred', 'list', '--cluster', '--redis-url', withPassword]);
	assert.doesNotMatch(refused.stdout + refused.stderr, /hunter2/);
	assert.doesNotMatch(refused.stdout + refused.stderr, stackTrace);
});

test('eda portal scan and export on the cluster: the catalog, with a subscriber counted on whichever node it is', async () => {
	const subscriber = cluster.client.duplicate();
	subscriber.on('error', () => undefined);
	await subscriber.subscribe('exported');
	try {
		await cluster.client.xadd(keys.stream('exported'), '*', 'specversion', '1.0', 'id', 'x1', 'source', '/t', 'type', 'exported', 'time', new Date().toISOString(), 'datacontenttype', 'application/json', 'data', '{"a":1}');
		await cluster.client.hset(keys.topics, 'exported', Date.now());
		const scanned = await runCli(['portal', 'scan', ...on()]);
		assert.equal(scanned.code, 0, scanned.stderr);
		const exported = await runCli(['portal', 'export', '--format', 'json', ...on()]);
		assert.equal(exported.code, 0, exported.stderr);
		const doc = JSON.parse(exported.stdout) as {channels: Record<string, {'x-eda-subscribers': number}>};
		const channel = Object.values(doc.channels).find((c) => (c as unknown as {address: string}).address === 'exported');
		assert.equal(channel?.['x-eda-subscribers'], 1);
	} finally {
		subscriber.disconnect();
	}
});

test('eda events, trace, groups and replay take --cluster: they read and write on every master', async () => {
	// Topics whose tags hash to different masters, so the trace crosses nodes.
	const topics = ['browse.a', 'browse.b', 'browse.c'];
	assert.equal(new Set(await Promise.all(topics.map(async (topic) => (await cluster.masterOf(`{${topic}}`)).port))).size > 1, true, 'the topics are on more than one master');
	const client = cluster.client as unknown as Redis;
	for (const [i, topic] of topics.entries()) {
		const data = `{"step":${i}}`;
		await publishEvents(client, topic, [{wire: data, envelope: {specversion: '1.0', id: `step-${i}`, source: 'test', type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data, correlationid: 'order-7', causationid: i === 0 ? undefined : `step-${i - 1}`}}]);
	}
	await cluster.client.xgroup('CREATE', keys.stream('browse.a'), 'billing', '0');

	const listed = await runCli(['events', 'browse.b', ...on()]);
	assert.equal(listed.code, 0, listed.stderr);
	assert.match(listed.stdout, /id=step-1 .*\{"step":1\}/);
	const traced = await runCli(['trace', 'order-7', '--json', ...on()]);
	assert.equal(traced.code, 0, traced.stderr);
	assert.deepEqual(traced.stdout.trim().split('\n').map((line) => (JSON.parse(line) as {id: string}).id), ['step-0', 'step-1', 'step-2']);
	const groups = await runCli(['groups', 'browse.a', ...on()]);
	assert.equal(groups.code, 0, groups.stderr);
	assert.match(groups.stdout, /^group billing /m);
	const entry = (await cluster.client.xrange(keys.stream('browse.c'), '-', '+'))[0]?.[0] ?? '';
	const replayed = await runCli(['replay', 'browse.c', entry, '--to', 'browse.a', ...on()]);
	assert.equal(replayed.code, 0, replayed.stderr);
	assert.equal(await cluster.client.xlen(keys.stream('browse.a')), 2, 'the replay is stored on its topic\'s master');
	for (const result of [listed, traced, groups, replayed]) {
		assert.doesNotMatch(result.stdout + result.stderr, /CROSSSLOT/);
		assert.doesNotMatch(result.stdout + result.stderr, stackTrace);
	}
});
