// `eda events|trace|replay|groups` as real processes on a real Redis, a
// 100,000-entry stream among them: output lines, --json envelopes, filters,
// exit codes (0 found, 3 nothing found, 2 usage, 1 error), sanitised text.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {keys} from '../source/redis/keys.js';
import {registerSchema} from '../source/portal/registry.js';
import {runCli, stackTrace} from './helpers/process.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
const eda = (args: string[]) => runCli([...args, '--redis-url', redis.url]);

async function fill(topic: string, n: number, fields: (i: number) => string[]): Promise<void> {
	for (let at = 0; at < n; at += 10_000) {
		const pipeline = redis.client.pipeline();
		for (let i = at; i < Math.min(n, at + 10_000); i++) pipeline.xadd(keys.stream(topic), '*', ...fields(i));
		await pipeline.exec();
	}
	await redis.client.hset(keys.topics, topic, Date.now());
}

const order = (i: number) => ['id', `o${i}`, 'source', 'shop', 'time', '2026-01-01T00:00:00Z', 'data', JSON.stringify({order: i, customer: i % 25_000 === 3 ? 'John Doe' : 'Ann', total: i % 100})];

before(async () => {
	redis = await startTestRedis();
	await fill('orders', 100_000, order);
	await fill('weird', 1, () => ['id', 'w1', 'source', 'evil\x1b[2J', 'data', 'line one\nbell\x07', 'datacontenttype', 'text/plain']);
	// One process over three topics.
	await fill('placed', 1, () => ['id', 'p1', 'source', 'shop', 'correlationid', 'flow-1', 'data', '{"step":1}']);
	await fill('paid', 1, () => ['id', 'p2', 'source', 'pay', 'correlationid', 'flow-1', 'causationid', 'p1', 'data', '{"step":2}']);
	await fill('shipped', 1, () => ['id', 'p3', 'source', 'ship', 'correlationid', 'flow-1', 'causationid', 'p2', 'data', '{"step":3}']);
});
after(() => redis.stop());

describe('eda events', () => {
	it('prints the 20 newest of 100,000 by default, one line each, newest first', async () => {
		const r = await eda(['events', 'orders']);
		assert.equal(r.code, 0, r.stderr);
		const lines = r.stdout.trimEnd().split('\n');
		assert.equal(lines.length, 20);
		assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\S+Z {2}\d+-\d+ {2}id=o99999 {2}source=shop {2}\{"order":99999,/);
		assert.match(lines[19]!, /id=o99980 /);
	});

	it('searches all 100,000 with --where and --grep, --json one envelope a line', async () => {
		const r = await eda(['events', 'orders', '--where', 'customer=John Doe', '--limit', '10', '--json']);
		assert.equal(r.code, 0, r.stderr);
		const records = r.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
		assert.deepEqual(records.map((rec) => rec['id']), ['o75003', 'o50003', 'o25003', 'o3']);
		assert.deepEqual(records[0]!['data'], {order: 75003, customer: 'John Doe', total: 3});
		assert.equal(records[0]!['topic'], 'orders');
		assert.match(String(records[0]!['entry']), /^\d+-\d+$/);
		const both = await eda(['events', 'orders', '--grep', 'john', '--where', 'order<10']);
		assert.equal(both.code, 0, both.stderr);
		assert.equal(both.stdout.trimEnd().split('\n').length, 1);
		const numbers = await eda(['events', 'orders', '--where', 'total>98', '--limit', '3']);
		assert.equal(numbers.stdout.trimEnd().split('\n').length, 3);
		assert.match(numbers.stdout, /id=o99999 /);
	});

	it('exits 3 with a plain answer when nothing matches, the topic has no stream, or nothing is that recent', async () => {
		const none = await eda(['events', 'orders', '--where', 'customer=Nobody']);
		assert.equal(none.code, 3);
		assert.equal(none.stdout, '');
		assert.equal(none.stderr.trim(), 'No event on orders matches the filter');
		const missing = await eda(['events', 'ghost']);
		assert.equal(missing.code, 3);
		assert.match(missing.stderr, /^ghost has no stream: nothing is retained on it/);
		const future = await eda(['events', 'orders', '--since', '2999-01-01T00:00:00Z']);
		assert.equal(future.code, 3);
		const recent = await eda(['events', 'orders', '--since', '10m', '--limit', '2']);
		assert.equal(recent.code, 0, recent.stderr);
	});

	it('refuses a malformed filter, a bad --since or --limit with one line and exit 2', async () => {
		for (const args of [
			['--where', 'total>many'],
			['--since', 'yesterday'],
			['--limit', '0'],
		]) {
			const r = await eda(['events', 'orders', ...args]);
			assert.equal(r.code, 2, args.join(' '));
			assert.doesNotMatch(r.stderr, stackTrace);
		}
		const r = await eda(['events', 'orders', '--where', 'total>many']);
		assert.match(r.stderr, /^--where: filter "total>many": > compares numbers, and "many" is not a number\n/);
		assert.equal((await eda(['events'])).code, 2);
		assert.equal((await eda(['events', 'orders', '--to', 'x'])).code, 2, 'a flag of another command');
	});

	it('sanitises network text', async () => {
		const r = await eda(['events', 'weird']);
		assert.equal(r.code, 0, r.stderr);
		assert.ok(!r.stdout.includes('\x1b') && !r.stdout.includes('\x07'));
		assert.match(r.stdout, /source=evil\\x1b\[2J {2}line one\\nbell\\x07\n$/);
	});
});

describe('eda trace', () => {
	it('draws the process across topics, oldest first, under its causes', async () => {
		const r = await eda(['trace', 'flow-1']);
		assert.equal(r.code, 0, r.stderr);
		const lines = r.stdout.trimEnd().split('\n');
		assert.equal(lines.length, 3);
		assert.match(lines[0]!, /^placed {2}\S+ {2}id=p1 /);
		assert.match(lines[1]!, /^└─ \+(\d+ms|\d+(\.\d)?s|\d+m(\d+s)?) paid {2}\S+ {2}id=p2 /);
		assert.match(lines[2]!, /^ {3}└─ \+(\d+ms|\d+(\.\d)?s|\d+m(\d+s)?) shipped {2}\S+ {2}id=p3 /);
		const json = await eda(['trace', 'flow-1', '--json']);
		assert.deepEqual(json.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as {depth: number}).depth), [0, 1, 2]);
	});

	it('exits 3 for a correlation id no event carries, 2 without one', async () => {
		const r = await eda(['trace', 'nope']);
		assert.equal(r.code, 3);
		assert.match(r.stderr, /^No retained event carries correlation id nope \(\d+ topic\(s\), 10000\d events read\)/);
		assert.equal((await eda(['trace'])).code, 2);
	});
});

describe('eda replay', () => {
	it('republishes as a new event caused by the original, to another topic with --to', async () => {
		const [[entry]] = (await redis.client.xrange(keys.stream('placed'), '-', '+')) as [string, string[]][] as [[string, string[]]];
		const r = await eda(['replay', 'placed', entry, '--to', 'replayed', '--json']);
		assert.equal(r.code, 0, r.stderr);
		const out = JSON.parse(r.stdout) as {entry: string; causationid: string; correlationid: string};
		assert.equal(out.causationid, 'p1');
		assert.equal(out.correlationid, 'flow-1');
		const stored = (await redis.client.xrange(keys.stream('replayed'), out.entry, out.entry)) as [string, string[]][];
		assert.ok(stored[0]![1].includes('causationid'));
		// The trace now holds the replay under its original.
		const trace = await eda(['trace', 'flow-1']);
		assert.match(trace.stdout, /└─ \+\S+ replayed /);
	});

	it("is refused by the target's declared schema (the producer's path), exit 1", async () => {
		await registerSchema(redis.client, 'strictTopic', {type: 'object', required: ['mustHave']});
		const [[entry]] = (await redis.client.xrange(keys.stream('placed'), '-', '+')) as [[string, string[]]];
		const r = await eda(['replay', 'placed', entry, '--to', 'strictTopic']);
		assert.equal(r.code, 1);
		assert.match(r.stderr, /^eda: Not replayed: the event does not match the declared schema of strictTopic/);
		assert.equal(await redis.client.exists(keys.stream('strictTopic')), 0);
	});

	it('exits 3 for an entry that does not exist, 2 for a malformed one', async () => {
		const r = await eda(['replay', 'placed', '1-1']);
		assert.equal(r.code, 3);
		assert.equal(r.stderr.trim(), 'placed holds no entry 1-1 (trimmed, or never there)');
		assert.equal((await eda(['replay', 'placed', 'abc'])).code, 2);
		assert.equal((await eda(['replay', 'placed'])).code, 2);
	});
});

describe('eda groups', () => {
	it('lists groups, consumers and pending entries; exits 3 when there are none', async () => {
		await redis.client.xgroup('CREATE', keys.stream('orders'), 'billing', '0');
		await redis.client.xreadgroup('GROUP', 'billing', 'worker-1', 'COUNT', 3, 'STREAMS', keys.stream('orders'), '>');
		const r = await eda(['groups', 'orders']);
		assert.equal(r.code, 0, r.stderr);
		const lines = r.stdout.trimEnd().split('\n');
		assert.match(lines[0]!, /^group billing {2}consumers 1 {2}pending 3 {2}lag 99997 /);
		assert.match(lines[1]!, /^ {2}consumer worker-1 {2}pending 3 /);
		assert.equal(lines.filter((l) => /^ {2}pending \d+-\d+ {2}worker-1 {2}idle \S+ {2}delivered 1x$/.test(l)).length, 3);
		const json = JSON.parse((await eda(['groups', 'orders', '--json'])).stdout) as {pendingEntries: unknown[]};
		assert.equal(json.pendingEntries.length, 3);
		assert.equal((await eda(['groups', 'placed'])).code, 3);
	});
});
