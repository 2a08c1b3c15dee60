// eda api-server runs the portal watcher, and `--no-portal` runs none: two
// real producers on one Redis, their heartbeats read back.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {listActors} from '../source/actors/heartbeat.js';
import {freePort} from '../source/redis/private-server.js';
import {spawnCli, stopAllCli} from './helpers/process.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
});
after(async () => {
	await stopAllCli();
	await redis.stop();
});

/** The pid in a heartbeat name: kind:host:pid:random. */
const pidOf = (name: string) => Number(name.split(':')[2]);

test('api-server runs a portal watcher; with --no-portal it runs none', async () => {
	const quiet = spawnCli(['api-server', '--no-portal', '--port', String(await freePort()), '--redis-url', redis.url]);
	await quiet.waitUntil(async () => (await listActors(redis.client)).some((a) => a.kind === 'producer' && pidOf(a.name) === quiet.pid), 'the --no-portal producer running');
	const usual = spawnCli(['api-server', '--port', String(await freePort()), '--redis-url', redis.url]);
	await usual.waitUntil(async () => (await listActors(redis.client)).some((a) => a.kind === 'portal' && pidOf(a.name) === usual.pid), "the other producer's portal watcher running");
	const portals = (await listActors(redis.client)).filter((a) => a.kind === 'portal');
	assert.deepEqual(portals.map((a) => pidOf(a.name)), [usual.pid], 'one watcher, not in the --no-portal producer');
	assert.equal((await quiet.stop()).code, 0);
	assert.equal((await usual.stop()).code, 0);
});
