// The mesh between two brokers that are Redis Cluster nodes (REDIS_CLUSTER=1):
// a bridge follows several topics, each in its own slot, so its reads are
// split per stream (one XREADGROUP over them all would be CROSSSLOT).
import {after, test} from 'node:test';
import {addGroup, expectExactly, publishMany, routeKnown} from './helpers/mesh.js';
import {spawnCli, stopAllCli} from './helpers/process.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

const started: TestRedis[] = [];
after(async () => {
	await stopAllCli();
	for (const broker of started) await broker.stop();
});

test('two cluster brokers: events of two topics (two slots) cross the link exactly once', async () => {
	const a = await startTestRedis({cluster: true});
	const b = await startTestRedis({cluster: true});
	started.push(a, b);
	await addGroup(b.client, 'orders');
	await addGroup(b.client, 'audit');
	const mesh = spawnCli(['mesh', '--broker', `a=${a.url}`, '--broker', `b=${b.url}`, '--link', 'a-b'], {env: {REDIS_CLUSTER: '1'}});
	await mesh.waitForLine('Mesh running', 'the mesh to start');
	await routeKnown(a.client, 'orders', 'b');
	await routeKnown(a.client, 'audit', 'b');
	const orders = await publishMany(a.client, 'orders', 50, 'o');
	const audit = await publishMany(a.client, 'audit', 50, 'u');
	await expectExactly(b.client, 'orders', orders, 'b orders');
	await expectExactly(b.client, 'audit', audit, 'b audit');
	mesh.signal('SIGINT');
	await mesh.exited;
});
