// The portal watcher on real Redis: it infers and versions each topic's
// schema from the stream, one watcher of two writes (and the other takes over
// when it dies), pub/sub-only traffic is catalogued, and a scan builds the
// catalog from what the streams retain.
import assert from 'node:assert/strict';
import {randomUUID} from 'node:crypto';
import {after, before, describe, it} from 'node:test';
import {localInterest} from '../source/mesh/interest.js';
import {readCatalog, readConsumers, type CatalogEntry} from '../source/portal/catalog.js';
import {followedPattern, PortalWatcher, scanCatalog} from '../source/portal/watcher.js';
import {keys} from '../source/redis/keys.js';
import type {RedisSession} from '../source/redis/session.js';
import type {OutgoingEvent} from '../source/topics/envelope.js';
import {publishEvents} from '../source/topics/publish.js';
import {memoryOutput} from './helpers/output.js';
import {session as openSession} from './helpers/redis.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

function event(data: unknown, extra: {source?: string; type?: string; topic: string}): OutgoingEvent {
	const text = typeof data === 'string' ? data : JSON.stringify(data);
	return {
		envelope: {specversion: '1.0', id: randomUUID(), source: extra.source ?? 'eda/api-server', type: extra.type ?? extra.topic, time: new Date().toISOString(), datacontenttype: 'application/json', data: text},
		wire: text,
	};
}

async function entry(redis: TestRedis['client'], topic: string, type?: string): Promise<CatalogEntry | undefined> {
	return (await readCatalog(redis)).find((e) => e.topic === topic && e.type === type);
}

const fast = {leaseMs: 600, discoverMs: 100, flushMs: 50, patternOnMs: 300, patternEveryMs: 600};

describe('portal watcher', () => {
	let redis: TestRedis;
	let session: RedisSession;
	before(async () => {
		redis = await startTestRedis();
		session = await openSession(redis.url);
	});
	after(async () => {
		await session.close();
		await redis.stop();
	});

	it('infers a schema and records a new version with its changes and breaks when a field is added', async () => {
		const watcher = new PortalWatcher({session, output: memoryOutput(), ...fast});
		await watcher.start();
		try {
			const topic = 'orders.created';
			await publishEvents(redis.client, topic, [event({order: 1, total: 9.5}, {topic, source: 'shop'}), event({order: 2, total: 3}, {topic, source: 'shop'})]);
			const v1 = await waitFor(async () => {
				const found = await entry(redis.client, topic);
				return found && found.count === 2 ? found : undefined;
			}, 'the first version in the catalog');
			assert.equal(v1.version, 1);
			assert.deepEqual(v1.producers, {shop: 2});
			assert.equal(v1.transport, 'stream');
			assert.deepEqual((v1.schema['required'] as string[]).sort(), ['order', 'total']);
			assert.equal(v1.versions.length, 1);
			assert.equal(JSON.parse(v1.sample ?? '{}').order, 2);

			await publishEvents(redis.client, topic, [event({order: 3, total: 1, coupon: 'X1'}, {topic, source: 'mobile'})]);
			const v2 = await waitFor(async () => {
				const found = await entry(redis.client, topic);
				return found && found.version === 2 ? found : undefined;
			}, 'a second version');
			assert.deepEqual(v2.producers, {shop: 2, mobile: 1});
			assert.equal(v2.count, 3);
			const last = v2.versions.at(-1);
			assert.equal(last?.version, 2);
			const added = last?.changes.find((c) => c.path.includes('coupon'));
			assert.ok(added, `a change names coupon: ${JSON.stringify(last?.changes)}`);
			assert.equal(added.kind, 'property-added');
			// An optional field added to an open content model: readers on the old schema still read new events; the verdicts say which direction breaks.
			assert.ok(Array.isArray(last?.breaks));
			for (const b of last?.breaks ?? []) assert.ok(b.direction === 'backward' || b.direction === 'forward');
			// The same shape again: no new version.
			await publishEvents(redis.client, topic, [event({order: 4, total: 2, coupon: 'Y'}, {topic, source: 'mobile'})]);
			await waitFor(async () => (await entry(redis.client, topic))?.count === 4, 'the fourth event counted');
			assert.equal((await entry(redis.client, topic))?.version, 2);
		} finally {
			await watcher.stop();
		}
	});

	it('keeps one entry per CloudEvents type when a topic carries several', async () => {
		const watcher = new PortalWatcher({session, output: memoryOutput(), ...fast});
		await watcher.start();
		try {
			const topic = 'billing';
			await publishEvents(redis.client, topic, [event({invoice: 1}, {topic, type: 'invoice.issued'}), event({refund: 'r1'}, {topic, type: 'refund.made'})]);
			const issued = await waitFor(() => entry(redis.client, topic, 'invoice.issued'), 'the invoice type');
			const refund = await waitFor(() => entry(redis.client, topic, 'refund.made'), 'the refund type');
			assert.deepEqual(Object.keys(issued.schema['properties'] as object), ['invoice']);
			assert.deepEqual(Object.keys(refund.schema['properties'] as object), ['refund']);
		} finally {
			await watcher.stop();
		}
	});

	it('catalogues a topic seen only on pub/sub, and never eda channels or master', async () => {
		const watcher = new PortalWatcher({session, output: memoryOutput(), ...fast});
		await watcher.start();
		try {
			await waitFor(() => watcher.leading, 'the watcher to lead');
			// The Go tool PUBLISHes without a stream; keep publishing until the watcher has classified it.
			const found = await waitFor(async () => {
				await redis.client.publish('go.signups', JSON.stringify({user: 'ann', at: 1}));
				await redis.client.publish('master', JSON.stringify({deferred: true}));
				await redis.client.publish('eda:deferred:ready', '1');
				return entry(redis.client, 'go.signups');
			}, 'the pub/sub-only topic in the catalog');
			assert.equal(found.transport, 'pubsub');
			assert.deepEqual(found.producers, {});
			assert.deepEqual(Object.keys(found.schema['properties'] as object), ['at', 'user']);
			const topics = (await readCatalog(redis.client)).map((e) => e.topic);
			assert.ok(!topics.includes('master') && !topics.some((t) => t.startsWith('eda:')), topics.join(','));
			// Found, it is followed by a pattern of its own that matches only its name; the catch-all pattern
			// (every stored event's PUBLISH too) is on only part of the time.
			await waitFor(async () => Number(await redis.client.call('PUBSUB', 'NUMPAT')) === 1, 'the catch-all pattern off between its windows, the topic\'s own pattern on');
			// A pattern is no subscriber: the portal is never counted as a consumer of the topic (PUBSUB NUMSUB,
			// the Catalog's and dashboard's subscriber counts) nor as interest (PUBSUB CHANNELS, the mesh).
			assert.equal(Number(((await redis.client.call('PUBSUB', 'NUMSUB', 'go.signups')) as unknown[])[1]), 0, 'the portal is not a subscriber of go.signups');
			assert.ok(!((await redis.client.pubsub('CHANNELS')) as string[]).includes('go.signups'), 'go.signups is no live channel because of the portal');
			assert.ok(!(await localInterest(redis.client)).includes('go.signups'), 'the mesh sees no interest in go.signups on this broker');
			assert.equal((await readConsumers(redis.client, ['go.signups'])).get('go.signups')?.subscribers, 0, 'the catalog counts no subscriber');
			// Every message once, whether or not the catch-all pattern is on when it comes.
			await redis.client.publish('go.signups', JSON.stringify({user: 'mark', at: 2}));
			const before = (await waitFor(async () => {
				const found = await entry(redis.client, 'go.signups');
				return found?.sample?.includes('mark') ? found : undefined;
			}, 'everything published so far counted')).count;
			for (let i = 1; i <= 20; i++) await redis.client.publish('go.signups', JSON.stringify({user: `bob${i}`, at: 2}));
			await waitFor(async () => (await entry(redis.client, 'go.signups'))?.sample?.includes('bob20'), 'the last message seen');
			assert.equal((await entry(redis.client, 'go.signups'))?.count, before + 20, 'each message counted once');
		} finally {
			await watcher.stop();
		}
	});

	it("a followed topic's own pattern matches its name only, whatever glob characters the name holds", async () => {
		const name = 'go.s*g?[ab]\\x';
		const sub = redis.client.duplicate();
		const heard: string[] = [];
		sub.on('pmessage', (_pattern: string, channel: string) => heard.push(channel));
		try {
			await sub.psubscribe(followedPattern(name));
			for (const other of ['go.sXXgZax', 'go.s*g?ax', 'go.s*g?[ab]x', 'go.s*g?[ab]\\xy']) await redis.client.publish(other, '1');
			await redis.client.publish(name, '1');
			await waitFor(() => heard.length > 0, 'the named channel heard');
			await redis.client.publish(name, '2');
			await waitFor(() => heard.length > 1, 'the named channel heard again');
			assert.deepEqual(heard, [name, name]);
		} finally {
			sub.disconnect();
		}
	});

	it('two watchers: one writes; when it dies the other takes over and goes on from where it was', async () => {
		const a = new PortalWatcher({session, output: memoryOutput(), ...fast});
		const b = new PortalWatcher({session, output: memoryOutput(), ...fast});
		await a.start();
		await b.start();
		try {
			await waitFor(() => a.leading !== b.leading, 'exactly one leader');
			const [first, second] = a.leading ? [a, b] : [b, a];
			const topic = 'failover';
			await publishEvents(redis.client, topic, [event({n: 1}, {topic})]);
			await waitFor(async () => (await entry(redis.client, topic))?.count === 1, 'the first event counted');
			// A crash: no resign, no last flush. The lease runs out and the follower takes it.
			(first as unknown as {stopped: boolean}).stopped = true;
			(first as unknown as {stepDown(): void}).stepDown();
			clearInterval((first as unknown as {leaseTimer: NodeJS.Timeout}).leaseTimer);
			await waitFor(() => second.leading, 'the follower to take the lease', 5000);
			await publishEvents(redis.client, topic, [event({n: 2, extra: true}, {topic})]);
			const resumed = await waitFor(async () => {
				const found = await entry(redis.client, topic);
				return found?.count === 2 ? found : undefined;
			}, 'the new leader to count the second event once');
			assert.equal(resumed.version, 2, 'the new field is a new version, not a restart at 1');
			assert.deepEqual(resumed.versions.map((v) => v.version), [1, 2]);
			// The old leader's stale write is refused.
			const {writeTopic} = await import('../source/portal/catalog.js');
			assert.equal(await writeTopic(redis.client, 1, topic, '0-0', 'stream', []), false);
		} finally {
			await a.stop();
			await b.stop();
		}
	});

	it('scan builds the catalog from what the streams retain, and a second scan adds only what is new', async () => {
		const topic = 'retained';
		await publishEvents(redis.client, topic, Array.from({length: 2500}, (_, i) => event({i, name: `n${i}`}, {topic, source: 'batch'})));
		const progress: number[] = [];
		const result = await scanCatalog(redis.client, {holder: 'scan:test', onProgress: (p) => progress.push(p.events)});
		assert.ok('events' in result);
		const found = await entry(redis.client, topic);
		assert.equal(found?.count, 2500);
		assert.deepEqual(found?.producers, {batch: 2500});
		assert.ok(progress.length > 2 && progress.at(-1)! >= 2500);
		await publishEvents(redis.client, topic, [event({i: 1, name: 'x'}, {topic, source: 'batch'})]);
		await scanCatalog(redis.client, {holder: 'scan:test'});
		assert.equal((await entry(redis.client, topic))?.count, 2501);
		assert.equal((await entry(redis.client, topic))?.version, found?.version);
		assert.equal(await redis.client.exists(keys.portal.leader), 0, 'the scan gave the lease back');
	});

	it('scan leaves the catalog to a running watcher', async () => {
		const watcher = new PortalWatcher({session, output: memoryOutput(), ...fast});
		await watcher.start();
		try {
			await waitFor(() => watcher.leading, 'the watcher to lead');
			const result = await scanCatalog(redis.client, {holder: 'scan:test'});
			assert.ok('busy' in result && result.busy === watcher.name);
		} finally {
			await watcher.stop();
		}
	});
});
