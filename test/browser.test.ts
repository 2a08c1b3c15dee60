// The shared browsing module on a real Redis: the filter grammar, pages newest
// first, a bounded search that reports progress and stops, a trace across
// topics drawn as its causation tree, replay through the producer's publish
// path, and a group's pending entries and their claim.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import type {Redis} from 'ioredis';
import {hasStream, readEvent, readPage} from '../source/browser/events.js';
import {FilterError, matches, parseFilter} from '../source/browser/filter.js';
import {claimIdle, readGroups} from '../source/browser/groups.js';
import {replayEvent} from '../source/browser/replay.js';
import {searchTopic} from '../source/browser/search.js';
import {traceCorrelation, traceRows} from '../source/browser/trace.js';
import {SchemaRefused} from '../source/portal/enforce.js';
import {registerSchema} from '../source/portal/registry.js';
import {keys} from '../source/redis/keys.js';
import {envelopeFromFields} from '../source/topics/envelope.js';
import {publishEvents} from '../source/topics/publish.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let client: Redis;

before(async () => {
	redis = await startTestRedis();
	client = redis.client;
});
after(() => redis.stop());

type Given = {id: string; data: string; correlationid?: string; causationid?: string};

async function publish(topic: string, events: Given[]): Promise<string[]> {
	return publishEvents(
		client,
		topic,
		events.map((e) => ({
			envelope: {specversion: '1.0', id: e.id, source: 'test', type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data: e.data, correlationid: e.correlationid, causationid: e.causationid},
			wire: e.data,
		})),
		1_000_000,
	);
}

/** n entries straight into the stream, pipelined (fast enough for 100,000). */
async function fill(topic: string, n: number, data: (i: number) => string): Promise<void> {
	for (let at = 0; at < n; at += 10_000) {
		const pipeline = client.pipeline();
		for (let i = at; i < Math.min(n, at + 10_000); i++) pipeline.xadd(keys.stream(topic), '*', 'id', `e${i}`, 'source', 'fill', 'time', '2026-01-01T00:00:00Z', 'data', data(i));
		await pipeline.exec();
	}
	await client.hset(keys.topics, topic, Date.now());
}

const candidate = (data: string, extra: Record<string, string> = {}) => ({entryId: '1-0', envelope: envelopeFromFields(['id', 'abc', 'source', 'shop', 'data', data, ...Object.entries(extra).flat()])});

describe('filter grammar', () => {
	it('reads text, comparisons and paths', () => {
		assert.deepEqual(parseFilter('John'), {kind: 'text', text: 'John'});
		assert.deepEqual(parseFilter('customer=John Doe'), {kind: 'field', path: ['customer'], op: '=', value: 'John Doe'});
		assert.deepEqual(parseFilter('total>40'), {kind: 'field', path: ['total'], op: '>', value: '40', number: 40});
		assert.deepEqual(parseFilter('items[0].sku!=A1'), {kind: 'field', path: ['items', '0', 'sku'], op: '!=', value: 'A1'});
		// A sign after words that are no field is text to find.
		assert.deepEqual(parseFilter('a b=c'), {kind: 'text', text: 'a b=c'});
	});

	it('refuses a malformed filter with one clear message', () => {
		assert.throws(() => parseFilter('total>forty'), (e: unknown) => e instanceof FilterError && e.message === 'filter "total>forty": > compares numbers, and "forty" is not a number');
		assert.throws(() => parseFilter('=x'), (e: unknown) => e instanceof FilterError && /no field before =/.test(e.message));
		assert.throws(() => parseFilter('  '), FilterError);
		assert.throws(() => parseFilter('total<'), FilterError);
	});

	it('matches payload paths, numbers, attributes and text case-insensitively', () => {
		const e = candidate('{"customer":{"name":"John Doe"},"total":42.5,"items":[{"sku":"A1"}]}', {correlationid: 'order-7'});
		assert.ok(matches(e, [parseFilter('customer.name=John Doe')]));
		assert.ok(matches(e, [parseFilter('total>40'), parseFilter('total<=42.5')]));
		assert.ok(!matches(e, [parseFilter('total>50')]));
		assert.ok(matches(e, [parseFilter('items[0].sku=A1')]));
		assert.ok(matches(e, [parseFilter('correlationid=order-7')]));
		assert.ok(matches(e, [parseFilter('source=shop')]));
		assert.ok(matches(e, [parseFilter('missing!=1')]));
		assert.ok(matches(e, [parseFilter('john doe')]));
		assert.ok(matches(e, [parseFilter('ORDER-7')]), 'the correlation id is searchable');
		assert.ok(!matches(candidate('not json'), [parseFilter('total>1')]));
	});
});

describe('pages, search', () => {
	it('reads newest first, page by page, and one event by its entry id', async () => {
		const ids = await publish('paged', Array.from({length: 7}, (_, i) => ({id: `p${i}`, data: `{"n":${i}}`})));
		const first = await readPage(client, 'paged', {count: 3});
		assert.deepEqual(first.map((e) => e.envelope.id), ['p6', 'p5', 'p4']);
		const second = await readPage(client, 'paged', {count: 3, before: first.at(-1)!.entryId});
		assert.deepEqual(second.map((e) => e.envelope.id), ['p3', 'p2', 'p1']);
		assert.equal((await readEvent(client, 'paged', ids[2]!))?.envelope.id, 'p2');
		assert.equal(await readEvent(client, 'paged', '1-1'), undefined);
		assert.equal(await hasStream(client, 'paged'), true);
		assert.equal(await hasStream(client, 'nothing-here'), false);
	});

	it('searches 100,000 entries in bounded steps, with progress, newest first', async () => {
		await fill('big', 100_000, (i) => `{"n":${i},"customer":"${i % 1000 === 7 ? 'John Doe' : 'Ann'}"}`);
		const steps: number[] = [];
		const result = await searchTopic(client, 'big', {filters: [parseFilter('customer=John Doe')], step: 5000, onProgress: (p) => steps.push(p.scanned)});
		assert.equal(result.complete, true);
		assert.equal(result.scanned, 100_000);
		assert.equal(result.events.length, 100);
		assert.equal(result.events[0]!.envelope.id, 'e99007');
		// One report per step of 5000 (and one for the empty read that ends it).
		assert.ok(steps.length >= 20 && steps.length <= 21, `${steps.length} reports`);
		assert.equal(steps.at(-1), 100_000);
		assert.ok(steps.every((s, i) => i === 0 || s >= steps[i - 1]!));
	});

	it('stops between steps when asked, answering what it found', async () => {
		const controller = new AbortController();
		const result = await searchTopic(client, 'big', {
			filters: [parseFilter('Ann')],
			step: 1000,
			signal: controller.signal,
			onProgress: (p) => {
				if (p.scanned >= 3000) controller.abort();
			},
		});
		assert.equal(result.stopped, true);
		assert.equal(result.scanned, 3000);
		assert.ok(result.events.length > 2900);
	});

	it('stops at a limit', async () => {
		const result = await searchTopic(client, 'big', {filters: [parseFilter('n<99995')], limit: 3, step: 2});
		assert.deepEqual(result.events.map((e) => e.envelope.id), ['e99994', 'e99993', 'e99992']);
		assert.equal(result.complete, false);
	});
});

describe('trace', () => {
	it('finds one correlation id across topics and draws the causation tree', async () => {
		await publish('orderPlaced', [{id: 'o1', data: '{"order":1}', correlationid: 'c-1'}, {id: 'o2', data: '{"order":2}', correlationid: 'c-2'}]);
		await new Promise((r) => setTimeout(r, 5));
		await publish('paymentTaken', [{id: 'p1', data: '{}', correlationid: 'c-1', causationid: 'o1'}]);
		await publish('stockReserved', [{id: 's1', data: '{}', correlationid: 'c-1', causationid: 'o1'}]);
		await new Promise((r) => setTimeout(r, 5));
		await publish('orderShipped', [{id: 'x1', data: '{}', correlationid: 'c-1', causationid: 'p1'}, {id: 'lost', data: '{}', correlationid: 'c-1', causationid: 'trimmed'}]);
		const progress: number[] = [];
		const trace = await traceCorrelation(client, 'c-1', {step: 1000, onProgress: (p) => progress.push(p.scanned)});
		assert.deepEqual(trace.events.map((e) => e.envelope.id), ['o1', 'p1', 's1', 'x1', 'lost']);
		assert.ok(progress.length > 100, 'reported step by step (100,000 entries of big in steps of 1000)');
		const rows = traceRows(trace.events);
		assert.deepEqual(rows.map((r) => `${r.depth}:${r.event.envelope.id}${r.causeMissing ? '?' : ''}`), ['0:o1', '1:p1', '2:x1', '1:s1', '0:lost?']);
		const p1 = rows[1]!;
		assert.equal(p1.gapMs, p1.event.ms - rows[0]!.event.ms);
		assert.ok(p1.gapMs! >= 5);
		assert.deepEqual((await traceCorrelation(client, 'no-such')).events, []);
	});
});

describe('replay', () => {
	it('publishes a new event caused by the original, on the same topic or another', async () => {
		const [entry] = await publish('toReplay', [{id: 'orig', data: '{"total":5}'}]);
		const original = (await readEvent(client, 'toReplay', entry!))!;
		const replayed = await replayEvent(client, original, 'elsewhere');
		const [stored] = await readPage(client, 'elsewhere', {count: 1});
		assert.equal(stored!.entryId, replayed.ids[0]);
		assert.notEqual(stored!.envelope.id, 'orig');
		assert.equal(stored!.envelope.causationid, 'orig');
		assert.equal(stored!.envelope.correlationid, 'orig');
		assert.equal(stored!.envelope.type, 'elsewhere');
		assert.equal(stored!.envelope.data, '{"total":5}');
	});

	it("goes through the producer's checks: a declared schema refuses it", async () => {
		await registerSchema(client, 'strict', {type: 'object', properties: {total: {type: 'string'}}, required: ['total']});
		const [entry] = await publish('toReplay', [{id: 'bad', data: '{"total":5}'}]);
		const original = (await readEvent(client, 'toReplay', entry!))!;
		await assert.rejects(replayEvent(client, original, 'strict'), SchemaRefused);
		assert.equal(await client.exists(keys.stream('strict')), 0, 'nothing stored');
	});

	it('never trims a stream kept longer than the default', async () => {
		const original = (await readPage(client, 'big', {count: 1}))[0]!;
		await replayEvent(client, original);
		assert.equal(await client.xlen(keys.stream('big')), 100_001);
	});
});

describe('groups', () => {
	it('lists consumers and pending entries, and claims the idle ones for another consumer', async () => {
		await publish('work', [{id: 'w1', data: '{}'}, {id: 'w2', data: '{}'}, {id: 'w3', data: '{}'}]);
		await client.xgroup('CREATE', keys.stream('work'), 'billing', '0');
		await client.xreadgroup('GROUP', 'billing', 'dead-member', 'COUNT', 2, 'STREAMS', keys.stream('work'), '>');
		let [group] = await readGroups(client, 'work');
		assert.equal(group!.name, 'billing');
		assert.equal(group!.pending, 2);
		assert.equal(group!.lag, 1);
		assert.deepEqual(group!.members.map((m) => [m.name, m.pending]), [['dead-member', 2]]);
		assert.deepEqual(group!.pendingEntries.map((p) => [p.consumer, p.deliveries]), [['dead-member', 1], ['dead-member', 1]]);
		// Not idle long enough: nothing moves.
		assert.equal(await claimIdle(client, 'work', 'billing', 'rescuer', 60_000), 0);
		await new Promise((r) => setTimeout(r, 30));
		assert.equal(await claimIdle(client, 'work', 'billing', 'rescuer', 20), 2);
		[group] = await readGroups(client, 'work');
		assert.deepEqual(group!.pendingEntries.map((p) => p.consumer), ['rescuer', 'rescuer']);
		assert.deepEqual(await readGroups(client, 'no-stream'), []);
	});
});
