// Connecting to a real 3-master Redis Cluster: seeds, --cluster, the refusals.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {UserError} from '../source/errors.js';
import {freePort} from '../source/redis/private-server.js';
import {openRedisSession, splitSeeds} from '../source/redis/session.js';
import {maskUrl} from '../source/text/mask-url.js';
import {startTestCluster, type TestCluster} from './helpers/cluster.js';
import {startTestRedis} from './helpers/redis.js';

let cluster: TestCluster;

before(async () => {
	cluster = await startTestCluster();
});

after(async () => {
	await cluster.stop();
});

const quiet = {say: () => undefined};

test('each seed of a list is shown with its own password masked', () => {
	assert.equal(maskUrl('redis://:pw1@a:1,rediss://u:pw2@b:2'), 'redis://:***@a:1,rediss://u:***@b:2');
});

test('seeds split at each comma before a scheme; a comma in a password stays', () => {
	assert.deepEqual(splitSeeds('redis://a:1,rediss://u:p,w@b:2'), ['redis://a:1', 'rediss://u:p,w@b:2']);
});

test('--cluster on the seeds: every command reaches the slot owner; the status names masters, slots and nodes', async () => {
	const session = await openRedisSession({...quiet, url: cluster.url, cluster: true});
	try {
		const redis = session.connect('eda:test');
		for (let i = 0; i < 30; i++) await redis.set(`k{${i}}`, String(i));
		for (let i = 0; i < 30; i++) assert.equal(await redis.get(`k{${i}}`), String(i));
		const status = await session.clusterStatus();
		assert.ok(status);
		assert.equal(status.masters, 3);
		assert.equal(status.mastersUp, 3);
		assert.equal(status.slotsCovered, 16_384);
		const mine = status.connections.find((c) => c.name === 'eda:test');
		assert.equal(mine?.nodes.length, 3, `30 keys over 3 masters: ${JSON.stringify(mine)}`);
	} finally {
		await session.close();
	}
});

test('REDIS_CLUSTER=1 does what --cluster does', async () => {
	process.env['REDIS_CLUSTER'] = '1';
	try {
		const session = await openRedisSession({...quiet, url: cluster.url});
		assert.deepEqual(session.seeds, cluster.url.split(','));
		await session.close();
	} finally {
		delete process.env['REDIS_CLUSTER'];
	}
});

test('a cluster node without --cluster: one line saying to add it (exit 2)', async () => {
	const seed = cluster.url.split(',')[0];
	await assert.rejects(openRedisSession({...quiet, url: seed}), (error: unknown) => error instanceof UserError && error.exitCode === 2 && /add --cluster/.test(error.message));
	await assert.rejects(openRedisSession({...quiet, url: cluster.url}), (error: unknown) => error instanceof UserError && error.exitCode === 2 && /several seeds; add --cluster/.test(error.message));
});

test('--cluster refuses a database other than 0, and never starts a private server', async () => {
	const seed = cluster.url.split(',')[0];
	await assert.rejects(openRedisSession({...quiet, url: `${seed}/2`, cluster: true}), (error: unknown) => error instanceof UserError && error.exitCode === 2 && /only database 0/.test(error.message));
	const nobody = `redis://:s3cret@127.0.0.1:${await freePort()}`;
	const lines: string[] = [];
	await assert.rejects(openRedisSession({url: nobody, cluster: true, say: (line) => lines.push(line), timeoutMs: 800}), (error: unknown) => {
		assert.ok(error instanceof UserError && error.exitCode === 1, String(error));
		assert.match(error.message, /Cannot reach a Redis Cluster.*never starts a private server/);
		assert.doesNotMatch(error.message, /s3cret/);
		return true;
	});
	assert.deepEqual(lines.filter((l) => /private/.test(l)), []);
});

test('a cluster that wants a password, given a wrong one or none: one line saying it refused the credentials, not "Cannot reach"', async (t) => {
	// ioredis reports only "Failed to refresh slots cache." for a cluster whose
	// nodes all refused; the node's own error (WRONGPASS, NOAUTH) is beside it.
	const node = await startTestRedis({cluster: true});
	t.after(() => node.stop());
	await node.client.config('SET', 'requirepass', 'r1ght');
	for (const url of [`redis://:wr0ng@127.0.0.1:${node.port}`, `redis://127.0.0.1:${node.port}`]) {
		await assert.rejects(openRedisSession({...quiet, url, cluster: true, timeoutMs: 3000}), (error: unknown) => {
			assert.ok(error instanceof UserError && error.exitCode === 1, String(error));
			assert.match(error.message, /^Redis Cluster at redis:\/\/.*127\.0\.0\.1:\d+ refused the credentials \(.*(WRONGPASS|NOAUTH).*\)\. Put the password in the URL/, error.message);
			assert.doesNotMatch(error.message, /wr0ng|r1ght|Cannot reach/);
			return true;
		});
	}
	const session = await openRedisSession({...quiet, url: `redis://:r1ght@127.0.0.1:${node.port}`, cluster: true});
	await session.close();
});
