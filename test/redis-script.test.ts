// Lua scripts (source/redis/script.ts): EVALSHA with an EVAL fallback, and no
// dependence on when a script was first used on a busy, auto-pipelined client.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import type {Redis} from 'ioredis';
import {luaNowMs, timeReplyMs} from '../source/redis/clock.js';
import {closeRedis, createRedis, waitReady} from '../source/redis/connect.js';
import {LuaScript} from '../source/redis/script.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let client: Redis;
before(async () => {
	redis = await startTestRedis();
	client = createRedis(redis.url);
	await waitReady(client, 5000);
});
after(async () => {
	await closeRedis(client);
	await redis.stop();
});

test('a script first run while the auto-pipeline holds other commands answers, and the process lives on', async () => {
	// The dashboard's client is always busy; a lab started inside it used to add
	// its scripts with defineCommand at this moment, and ioredis then threw
	// "results[i] is not iterable" from a nextTick, killing the dashboard.
	const first = new LuaScript(`return 'first ' .. ARGV[1]`);
	const queued = client.ping();
	const [pong, answer] = await Promise.all([queued, first.run(client, [], ['run'])]);
	assert.equal(pong, 'PONG');
	assert.equal(answer, 'first run');
	// A failure in the same tick would surface as an uncaught exception; give it the ticks to do so.
	await new Promise((resolve) => setImmediate(resolve));
	assert.equal(await client.ping(), 'PONG');
});

test('keys and arguments go in one array, numbers and Buffers included', async () => {
	const script = new LuaScript(`redis.call('SET', KEYS[1], ARGV[1] .. ARGV[2]); return redis.call('GET', KEYS[1])`);
	assert.equal(await script.run(client, ['script:k'], [42, Buffer.from('-b')]), '42-b');
});

test('after Redis forgot its scripts (a restart empties the cache) the script still runs, through EVAL', async () => {
	const script = new LuaScript(`return 'cached? ' .. ARGV[1]`);
	assert.equal(await script.run(client, [], ['yes']), 'cached? yes');
	assert.deepEqual(await client.script('EXISTS', script.sha), [1], 'EVALSHA found it after the first run');
	await client.script('FLUSH');
	assert.deepEqual(await client.script('EXISTS', script.sha), [0]);
	assert.equal(await script.run(client, [], ['again']), 'cached? again');
	assert.deepEqual(await client.script('EXISTS', script.sha), [1], 'EVAL cached it again');
});

test('an error raised by the script reaches the caller as itself, not as NOSCRIPT', async () => {
	const failing = new LuaScript(`return redis.error_reply('ERR refused on purpose')`);
	await assert.rejects(failing.run(client, [], []), /refused on purpose/);
});

test('scripts and clients read Redis time the same way: luaNowMs lies between two TIME replies read as ms', async () => {
	const now = new LuaScript(`${luaNowMs}
return now`);
	const before = timeReplyMs(await client.time());
	const inScript = Number(await now.run(client, [], []));
	const after = timeReplyMs(await client.time());
	assert.ok(before <= inScript && inScript <= after, `${before} <= ${inScript} <= ${after}`);
	assert.equal(timeReplyMs(['1700000000', '123456']), 1_700_000_000_123);
});
