// eda migrate: keys of the layout before hash tags moved to the tagged one,
// through the real CLI on a private Redis.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {keys} from '../source/redis/keys.js';
import {runCli} from './helpers/process.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;

before(async () => {
	redis = await startTestRedis();
});

after(async () => {
	await redis.stop();
});

async function writeOldLayout(): Promise<void> {
	const c = redis.client;
	await c.xadd('eda:stream:orders', '*', 'data', '{"n":1}');
	await c.xadd('eda:stream:orders', '*', 'data', '{"n":2}');
	await c.hset('eda:topics', 'orders', '1');
	await c.set('eda:deferred:seq', '41');
	await c.zadd('eda:deferred:scheduled', 1, '41');
	await c.hset('eda:deferred:event:41', 'state', 'scheduled', 'body', '{}');
	await c.hset('eda:deferred:stats', 'enqueued', '41', 'done', '40');
	await c.hset('eda:topics:last-at', 'orders', '1');
	await c.zadd('eda:actors', 1, 'worker:old:1:x');
}

test('a dry run lists every move and changes nothing; --apply moves them; a re-run finds nothing', async () => {
	await writeOldLayout();
	const dry = await runCli(['migrate', '--redis-url', redis.url]);
	assert.equal(dry.code, 0, dry.stderr);
	assert.match(dry.stdout, /rename\s+eda:stream:orders → eda:\{orders\}:stream/);
	assert.match(dry.stdout, /delete\s+eda:topics:last-at/);
	assert.match(dry.stdout, /Dry run: 6 to rename, 0 to merge, 1 to delete, 0 in conflict/);
	assert.equal(await redis.client.exists('eda:stream:orders'), 1, 'the dry run moved nothing');

	// Any other command says to run it.
	const list = await runCli(['deferred', 'list', '--redis-url', redis.url]);
	assert.match(list.stderr, /layout before hash tags.*eda migrate/);

	const applied = await runCli(['migrate', '--apply', '--redis-url', redis.url]);
	assert.equal(applied.code, 0, applied.stderr);
	assert.match(applied.stderr, /migrate: 7\/7 keys/);
	assert.equal(await redis.client.xlen(keys.stream('orders')), 2);
	assert.equal(await redis.client.get(keys.deferred.seq), '41');
	assert.equal(await redis.client.hget(keys.deferred.event('41'), 'state'), 'scheduled');
	assert.equal(await redis.client.exists('eda:stream:orders', 'eda:deferred:seq', 'eda:topics:last-at', 'eda:actors'), 0);

	const again = await runCli(['migrate', '--apply', '--redis-url', redis.url]);
	assert.equal(again.code, 0);
	assert.match(again.stdout, /0 renamed, 0 merged, 0 deleted/);
});

test('both layouts hold counters: merged; a live actor stops it', async () => {
	await redis.client.hset('eda:deferred:stats', 'done', '2');
	await redis.client.set('eda:deferred:seq', '100');
	const applied = await runCli(['migrate', '--apply', '--redis-url', redis.url]);
	assert.equal(applied.code, 0, applied.stderr);
	assert.equal(await redis.client.hget(keys.deferred.stats, 'done'), '42');
	assert.equal(await redis.client.get(keys.deferred.seq), '100');

	await redis.client.zadd(keys.actors, Date.now() + 60_000, 'worker:live:1:y');
	const refused = await runCli(['migrate', '--redis-url', redis.url]);
	assert.equal(refused.code, 1);
	assert.match(refused.stderr, /1 eda actor\(s\) are alive.*worker:live:1:y/);
	assert.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
});
