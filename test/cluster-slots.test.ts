// The key layout's guarantee: every Lua script touches the keys of one hash
// slot only, so each can run on Redis Cluster (redis/keys.ts).
//
// Every script runs here, through its real call, on a one-node Redis Cluster
// that serves every slot. Redis refuses there a script whose declared KEYS span
// slots (CROSSSLOT). A key a script builds itself (an event's record from its
// id) is checked too, but only for scripts that open with a shebang: Redis 7
// lets a script without one (what eda sends, so that Redis 6.2 still runs it)
// touch any slot, for compatibility. So this file runs every script with
// `#!lua` first, which makes Redis refuse any key outside the slot of the
// first one ("Script attempted to access keys that do not hash to the same
// slot"); the first test shows it does.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {after, before, beforeEach, test} from 'node:test';
import type {Redis} from 'ioredis';
import {GroupConsumer} from '../source/actors/group-consumer.js';
import {Heartbeat} from '../source/actors/heartbeat.js';
import {readSnapshot} from '../source/dashboard/feed/snapshot.js';
import {DeferredStore} from '../source/deferred/store.js';
import {readCatalog} from '../source/portal/catalog.js';
import {scanCatalog} from '../source/portal/watcher.js';
import {applyEvent, executeCommand} from '../source/labs/cqrs/scripts.js';
import {validateCommand} from '../source/labs/cqrs/model.js';
import {transition} from '../source/labs/orders/scripts.js';
import {closeRedis, createRedis, waitReady} from '../source/redis/connect.js';
import {goCompat, keys} from '../source/redis/keys.js';
import {LuaScript, type ScriptArg} from '../source/redis/script.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {publishChecked} from '../source/portal/enforce.js';
import {registerSchema} from '../source/portal/registry.js';
import {defaultSource, type OutgoingEvent} from '../source/topics/envelope.js';
import {listTopics} from '../source/topics/list.js';
import {publishEvents} from '../source/topics/publish.js';
import {storeForwarded} from '../source/mesh/forward.js';
import {readRoutes, writeRoutes} from '../source/mesh/interest.js';
import {LinkFigures, readLinkStates, writeLinkState} from '../source/mesh/figures.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../source');

let redis: TestRedis;
let client: Redis;
let session: RedisSession;

/** The text of every script that ran, and every error a script raised (some callers swallow theirs). */
const ran = new Set<string>();
const failures: string[] = [];
const originalRun = LuaScript.prototype.run;

before(async () => {
	redis = await startTestRedis({cluster: true});
	client = createRedis(redis.url);
	await waitReady(client, 5000);
	session = await openRedisSession({url: redis.url, cluster: true, say: () => {}});
	LuaScript.prototype.run = async function (this: LuaScript, on: Redis, scriptKeys: readonly ScriptArg[], args: readonly ScriptArg[]) {
		ran.add(this.lua);
		try {
			return await on.eval(`#!lua\n${this.lua}`, scriptKeys.length, ...scriptKeys, ...args);
		} catch (error) {
			failures.push(String(error));
			throw error;
		}
	};
});

beforeEach(() => {
	failures.length = 0;
});

after(async () => {
	LuaScript.prototype.run = originalRun;
	await session.close();
	await closeRedis(client);
	await redis.stop();
});

function event(topic: string, data: string, extra: Partial<OutgoingEvent['envelope']> = {}): OutgoingEvent {
	return {wire: data, envelope: {specversion: '1.0', id: `${topic}-${data}`, source: defaultSource, type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data, ...extra}};
}

/** Every `new LuaScript(` in source/, one per script. */
function scriptsInSource(dir = sourceDir): number {
	let count = 0;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) count += scriptsInSource(full);
		else if (/\.tsx?$/.test(entry.name)) count += readFileSync(full, 'utf8').split('new LuaScript(').length - 1;
	}
	return count;
}

test('the check works: this server refuses a script given keys of two slots, or building a key of another slot', async () => {
	const built = new LuaScript(`redis.call('SET', KEYS[1], 1); return redis.call('SET', ARGV[1] .. 'x', 1)`);
	await assert.rejects(built.run(client, ['{a}k', '{b}k'], ['']), /CROSSSLOT/);
	await assert.rejects(built.run(client, ['{a}k'], ['{b}']), /do not hash to the same slot/);
	assert.equal(await built.run(client, ['{a}k'], ['{a}']), 'OK', 'a key of the same slot is fine');
	// The same script without the shebang, as eda sends it: Redis 7 lets it through.
	assert.equal(await client.eval(built.lua, 1, '{a}k', '{b}'), 'OK');
	ran.clear();
});

test('every deferred move, through its real call, on keys of the {message:queue} slot', async () => {
	const store = new DeferredStore(client);
	const [first, second, third] = await store.enqueueMany([
		{body: '{"n":1}', delayMs: 0},
		{body: '{"n":2}', delayMs: 0},
		{body: '{"n":3}', delayMs: 0},
	]);
	assert.ok(first && second && third);
	assert.equal((await store.promote()).moved, 3);
	// A body the Go master pushed, with no record yet: the claim makes one.
	await client.lpush(goCompat.workQueue, '{"go":1}');
	const claimed = await store.claim(2, 'w1', 60_000, 3);
	assert.equal(claimed.events.length, 2);
	const [a, b] = claimed.events;
	assert.ok(a && b);
	assert.deepEqual((await store.renew([a, b], 60_000)).kept, [true, true]);
	assert.equal(await store.complete(a.id, a.token), true);
	assert.equal((await store.fail(b.id, b.token, 'boom', 3, 60_000)).outcome, 'retry');
	const [c] = (await store.claim(1, 'w1', 60_000, 1)).events;
	assert.ok(c);
	assert.equal((await store.fail(c.id, c.token, 'boom', 1, 10)).outcome, 'dead');
	const [d] = (await store.claim(1, 'w1', 60_000, 3)).events;
	assert.ok(d);
	assert.equal(await store.release([d]), 1);
	const [e] = (await store.claim(1, 'w1', 1, 1)).events;
	assert.ok(e);
	await waitFor(async () => (await store.sweep()).dead === 1, 'the 1 ms lease swept to dead');
	assert.deepEqual(await store.retry(b.id), {moved: 1, problem: ''});
	assert.ok((await store.retryAllDead()) >= 1);
	// Dead again, then purged.
	const [f] = (await store.claim(1, 'w1', 60_000, 1)).events;
	assert.ok(f);
	await store.fail(f.id, f.token, 'boom', 1, 10);
	assert.equal(await store.purgeDead(), 1);
	// One scheduled event deleted (the Events view's delete key).
	const {id: later} = await store.enqueue('{"n":9}', 60_000);
	assert.equal(await store.delete(later), '');
	// The Go worker RPOPs the rest, keeping no record: reconcile marks those taken.
	while (await client.rpop(goCompat.workQueue));
	let cursor = '0';
	let taken = 0;
	do {
		const step = await store.reconcile(cursor, 100);
		cursor = step.cursor;
		taken += step.taken;
	} while (cursor !== '0');
	assert.ok(taken >= 1, `reconcile marked ${taken}`);
	assert.equal(await store.lead(keys.deferred.channelLeader, 'm1', 5000), true);
	await store.resign(keys.deferred.channelLeader, 'm1');
	assert.deepEqual(failures, []);
});

test('heartbeats, topics, groups, the dashboard refresh and the labs, each on keys of one slot', async () => {
	const beat = new Heartbeat(client, 'worker:cluster:1:ab', 'worker');
	await beat.beat();
	assert.equal(await client.exists(keys.actor(beat.name)), 1);
	await beat.stop();
	assert.equal(await client.exists(keys.actor(beat.name)), 0, 'stop deletes hash and index entry in one MULTI, one slot');

	const topic = 'cluster.t';
	await publishEvents(client, topic, [event(topic, '1')]);
	await publishEvents(client, topic, [event(topic, '2'), event(topic, '3')]);
	await publishEvents(client, topic, [event(topic, '4'), event(topic, '5', {source: '/other'})]);

	const member = new GroupConsumer({session, topic: 'cluster.grouped', group: 'g', output: {emit: () => undefined}, quiet: true, handler: () => undefined});
	await member.start();
	await member.stop();

	const listed = await listTopics(client);
	assert.deepEqual(listed.map((t) => [t.topic, t.count]), [['cluster.grouped', 0], [topic, 5]]);
	const snap = await readSnapshot(client, [topic]);
	assert.equal(snap.topics.find((t) => t.name === topic)?.stored, 5);

	assert.equal((await transition(client, 'o1', {field: 'payment', to: 'taken', counter: 'taken', amount: 5})).changed, true);
	const command = validateCommand('placeOrder', {customer: 'ann', items: [{sku: 'a', qty: 1, price: 100}]}, () => 'o1');
	const done = await executeCommand(client, command, {id: 'e1', source: '/lab', time: new Date().toISOString()});
	assert.equal(done.version, 1);
	const applied = await applyEvent(client, 'projector', {id: 'e1', orderId: 'o1', version: 1, state: '{}', writtenAt: Date.now(), placedAt: Date.now(), replica: 'r1'});
	assert.equal(applied.outcome, 'applied');
	assert.deepEqual(failures, []);
});

test("the portal's registration and its producers' version check, on keys of the topic's slot", async () => {
	const topic = 'cluster.declared';
	const registered = await registerSchema(client, topic, {type: 'object', properties: {n: {type: 'number'}}, required: ['n']});
	assert.ok(registered.ok && registered.declared.version === 1);
	await assert.rejects(publishChecked(client, topic, [event(topic, '{"n":"x"}')]), /does not match the declared schema/);
	assert.equal((await publishChecked(client, topic, [event(topic, '{"n":1}')])).ids.length, 1);
	assert.deepEqual(failures, []);
});

test('the mesh: the forward write, a held stream\'s publish, routes and link states, each on keys of one slot', async () => {
	const topic = 'cluster.mesh';
	const fields = ['specversion', '1.0', 'id', 'm1', 'source', '/east', 'type', topic, 'time', 't', 'datacontenttype', 'application/json', 'data', '{}', 'meshpath', 'east,west'];
	assert.deepEqual(await storeForwarded(client, topic, [{source: '/east', id: 'm1', fields}]), {stored: 1, duplicates: 0});
	assert.deepEqual(await storeForwarded(client, topic, [{source: '/east', id: 'm1', fields}]), {stored: 0, duplicates: 1});
	// A stream the mesh holds: the publish reads the hold it builds from the stream's name, on the same slot.
	await client.hset(keys.mesh.hold(topic), 'floor', '0-1', 'cap', 3);
	for (let i = 0; i < 5; i++) await publishEvents(client, topic, [event(topic, `h${i}`)], 2);
	assert.equal(await client.xlen(keys.stream(topic)), 3, 'the cap trims exactly');
	await writeRoutes(client, new Map([[`${topic} east`, {dist: 0, via: '', since: 1}]]));
	assert.equal((await readRoutes(client)).size, 1);
	const figures = new LinkFigures('east', 'west');
	await writeLinkState(client, figures.snapshot());
	assert.equal((await readLinkStates(client)).length, 1);
	assert.deepEqual(failures, []);
});

test('the portal catalog: its lease, and each topic\'s claim, write and read, on keys of one slot', async () => {
	const topic = 'cluster.portal';
	await publishEvents(client, topic, [event(topic, '{"a":1}'), event(topic, '{"a":2,"b":"x"}', {type: 'other.type'})]);
	const scanned = await scanCatalog(client, {holder: 'scan:cluster'});
	assert.ok('events' in scanned && scanned.events >= 2);
	const entries = (await readCatalog(client)).filter((e) => e.topic === topic);
	assert.deepEqual(entries.map((e) => [e.type, e.count, e.versions.length]), [[undefined, 1, 1], ['other.type', 1, 1]]);
	assert.deepEqual(failures, []);
});

test('every script in source/ ran in this file', () => {
	// A new script without a call here fails this, so the guarantee stays whole.
	assert.equal(ran.size, scriptsInSource(), `ran ${ran.size} distinct scripts`);
});
