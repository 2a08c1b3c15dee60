// `eda consumer` as real processes on a private Redis: live pub/sub, patterns,
// --json, groups (competing, claiming, trimming), replay, heartbeats, signals.
import assert from 'node:assert/strict';
import os from 'node:os';
import {after, before, describe, test} from 'node:test';
import {listActors, type ActorInfo} from '../source/actors/heartbeat.js';
import type {RunningProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {postEvent, request} from './helpers/http.js';
import {spawnCli, stackTrace, stopAllCli, type CliProcess} from './helpers/process.js';
import {startProducerFixture, type ProducerFixture} from './helpers/producer.js';
import {waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let fixture: ProducerFixture;
let producer: RunningProducer;

before(async () => {
	fixture = await startProducerFixture();
	({redis, producer} = fixture);
});

after(async () => {
	await stopAllCli();
	await fixture.stop();
});

function consumer(...args: string[]): CliProcess {
	return spawnCli(['consumer', '--redis-url', redis.url, ...args]);
}

async function post(topic: string, body: string, contentType = 'application/json'): Promise<string> {
	const reply = await postEvent(producer.url, topic, body, contentType);
	assert.equal(reply.status, 200, reply.text);
	return String(reply.json()['id']);
}

async function postBatch(topic: string, items: unknown[]): Promise<void> {
	const reply = await request(producer.url, `/topics/${topic}/batch`, {body: JSON.stringify(items), contentType: 'application/json'});
	assert.equal(reply.status, 200, reply.text);
}

const dataLines = (proc: CliProcess) => proc.lines().filter((line) => line.startsWith('Event data: ')).map((line) => line.slice('Event data: '.length));

async function waitForData(proc: CliProcess, count: number, what: string): Promise<string[]> {
	return proc.waitUntil(() => (dataLines(proc).length >= count ? dataLines(proc) : undefined), `${count} events printed by ${what}`);
}

/** SIGTERM (or the given signal) and a clean exit: code 0, no stack trace. */
async function stopCleanly(proc: CliProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
	proc.signal(signal);
	const exit = await proc.exited;
	assert.deepEqual(exit, {code: 0, signal: null}, `exit after ${signal}; stderr: ${proc.stderr()}`);
	assert.doesNotMatch(proc.stderr(), stackTrace);
}

async function actorOf(proc: CliProcess): Promise<ActorInfo> {
	return waitFor(async () => (await listActors(redis.client)).find((actor) => actor.pid === proc.pid), `a heartbeat for pid ${proc.pid}`);
}

async function pendingFor(topic: string, group: string): Promise<{count: number; consumers: Record<string, number>}> {
	const [count, , , owners] = (await redis.client.xpending(keys.stream(topic), group)) as [number, string | null, string | null, Array<[string, string]> | null];
	return {count, consumers: Object.fromEntries((owners ?? []).map(([name, n]) => [name, Number(n)]))};
}

/** True when Redis has the group member process's stream connection blocked in XREADGROUP. */
async function blockedInRead(proc: CliProcess): Promise<boolean> {
	const list = await redis.client.client('LIST') as string;
	return list.split('\n').some((line) => {
		const name = /\bname=(\S+)/.exec(line)?.[1] ?? '';
		return name.startsWith('group-consumer:') && name.split(':')[2] === String(proc.pid) && !name.endsWith(':beat') && /\bcmd=xreadgroup\b/.test(line) && /\bflags=\S*b/.test(line);
	});
}

// A few at a time: each CLI process costs about a CPU-second to start on this 2-core machine.
describe('eda consumer', {concurrency: 4}, () => {
	test('live: subscribed line once, then the two lines per event, exactly as posted', async () => {
		await post('live.t', '{"before":"start"}');
		const proc = consumer('--topic', 'live.t');
		await proc.waitForLine('Consumer subscribed to `live.t` Topic');
		const bodies = ['{"order_id": 123}', '{ "odd" :  "spacing" ,"ü":"✓ 🚀" }'];
		for (const body of bodies) await post('live.t', body);
		await waitForData(proc, 2, 'the live consumer');
		assert.deepEqual(proc.lines(), [
			'Consumer subscribed to `live.t` Topic',
			'Received event on topic: live.t',
			`Event data: ${bodies[0]}`,
			'Received event on topic: live.t',
			`Event data: ${bodies[1]}`,
		]);
		await stopCleanly(proc);
	});

	test('-t is --topic; several topics at once', async () => {
		const proc = consumer('-t', 'multi.a', '-t', 'multi.b');
		await proc.waitForLine('Consumer subscribed to `multi.a` Topic');
		await proc.waitForLine('Consumer subscribed to `multi.b` Topic');
		await post('multi.a', '"to a"');
		await post('multi.b', '"to b"');
		await waitForData(proc, 2, 'the two-topic consumer');
		assert.ok(proc.lines().includes('Received event on topic: multi.a'));
		assert.ok(proc.lines().includes('Received event on topic: multi.b'));
		assert.deepEqual(dataLines(proc), ['"to a"', '"to b"']);
		await stopCleanly(proc);
	});

	test('pattern topics: orders.* gets orders.created and orders.paid, not others', async () => {
		const proc = consumer('-t', 'orders.*');
		await proc.waitForLine('Consumer subscribed to `orders.*` Topic');
		await post('shipping.created', '{"no":1}');
		await post('orders.created', '{"id":1}');
		await post('orders.paid', '{"id":1,"paid":true}');
		await waitForData(proc, 2, 'the pattern consumer');
		assert.deepEqual(proc.lines(), [
			'Consumer subscribed to `orders.*` Topic',
			'Received event on topic: orders.created',
			'Event data: {"id":1}',
			'Received event on topic: orders.paid',
			'Event data: {"id":1,"paid":true}',
		]);
		await stopCleanly(proc);
	});

	test('--json: one JSON object a line (live)', async () => {
		const proc = consumer('-t', 'json.live', '--json');
		await proc.waitForLine('"subscribed"');
		await post('json.live', '{"a":  1}');
		await post('json.live', 'plain ✓', 'text/plain');
		await proc.waitUntil(() => proc.lines().length >= 3, 'three JSON lines');
		const records = proc.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
		assert.equal(records.length, 3);
		assert.equal(records[0]?.['event'], 'subscribed');
		assert.equal(records[0]?.['topic'], 'json.live');
		assert.deepEqual(records.slice(1).map((r) => [r['event'], r['topic'], r['data']]), [
			['received', 'json.live', '{"a":  1}'],
			['received', 'json.live', 'plain ✓'],
		]);
		await stopCleanly(proc);
	});

	test('--json in a group: entry, event id, group and member in each record', async () => {
		const proc = consumer('-t', 'json.group', '--group', 'jg', '--name', 'jm', '--json');
		await proc.waitForLine('"subscribed"');
		const id = await post('json.group', '{"g":1}');
		await proc.waitUntil(() => proc.lines().length >= 2, 'two JSON lines');
		const records = proc.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
		assert.equal(records.length, 2);
		const received = records[1] ?? {};
		assert.equal(received['event'], 'received');
		assert.equal(received['data'], '{"g":1}');
		assert.equal(received['id'], id);
		assert.equal(received['group'], 'jg');
		assert.equal(received['consumer'], 'jm');
		assert.match(String(received['entry']), /^\d+-\d+$/);
		await stopCleanly(proc);
	});

	test('a payload with \\x1b[2J, a bell and a C1 CSI is shown escaped, never sent raw', async () => {
		const proc = consumer('-t', 'escape.t');
		await proc.waitForLine('Consumer subscribed');
		await post('escape.t', 'clear\x1b[2Jscreen\x07 \u009b1m done', 'text/plain');
		await waitForData(proc, 1, 'the consumer');
		assert.ok(proc.lines().includes('Event data: clear\\x1b[2Jscreen\\x07 \\x9b1m done'), proc.stdout());
		assert.doesNotMatch(proc.stdout(), /[\x1b\x07\u009b]/);
		await stopCleanly(proc);
	});

	test('heartbeat while alive (name, kind, pid, host, started, handled); SIGINT: exit 0, heartbeat gone', async () => {
		const proc = consumer('-t', 'hb.live');
		await proc.waitForLine('Consumer subscribed');
		const actor = await actorOf(proc);
		assert.equal(actor.kind, 'consumer');
		assert.match(actor.name, /^consumer:/);
		assert.equal(actor.host, os.hostname());
		assert.ok(actor.started > 0 && actor.started <= Number((await redis.client.time())[0]) * 1000 + 1000);
		assert.equal(actor.handled, 0);
		assert.match(actor.detail, /hb\.live/);
		await post('hb.live', '1');
		await post('hb.live', '2');
		await waitForData(proc, 2, 'the consumer');
		// The count is written with the next beat (every few seconds).
		await proc.waitUntil(async () => (await actorOf(proc)).handled === 2, 'handled = 2 in the heartbeat');
		await stopCleanly(proc, 'SIGINT');
		assert.equal((await listActors(redis.client)).some((a) => a.pid === proc.pid), false);
		assert.equal(await redis.client.exists(keys.actor(actor.name)), 0);
		assert.equal(await redis.client.zscore(keys.actors, actor.name), null);
	});

	test('a group member: heartbeat of kind group-consumer; SIGTERM: exit 0, heartbeat gone', async () => {
		const proc = consumer('-t', 'hb.group', '-g', 'hg');
		await proc.waitForLine('Reading the durable stream in group hg');
		const actor = await actorOf(proc);
		assert.equal(actor.kind, 'group-consumer');
		assert.equal(actor.host, os.hostname());
		await stopCleanly(proc, 'SIGTERM');
		assert.equal(await redis.client.exists(keys.actor(actor.name)), 0);
		assert.equal((await listActors(redis.client)).some((a) => a.name === actor.name), false);
	});

	test('--group: two members split the events, each handled once, all acknowledged', async () => {
		const one = consumer('-t', 'grp.split', '--group', 'gs', '--name', 'm1');
		const two = consumer('-t', 'grp.split', '--group', 'gs', '--name', 'm2');
		await Promise.all([one.waitForLine('Reading the durable stream'), two.waitForLine('Reading the durable stream')]);
		// Both waiting in XREADGROUP before any event: otherwise the first to read may take all twenty.
		await waitFor(async () => (await blockedInRead(one)) && (await blockedInRead(two)), 'both members blocked in XREADGROUP');
		const sent = Array.from({length: 20}, (_, i) => `{"n":${i}}`);
		for (const body of sent) await post('grp.split', body);
		await one.waitUntil(() => dataLines(one).length + dataLines(two).length >= sent.length, `all 20 events handled (other member: ${two.pid})`);
		const got = [...dataLines(one), ...dataLines(two)];
		assert.equal(got.length, sent.length, 'no event handled twice');
		assert.deepEqual([...got].sort(), [...sent].sort());
		assert.ok(dataLines(one).length > 0 && dataLines(two).length > 0, `split ${dataLines(one).length}/${dataLines(two).length}`);
		await waitFor(async () => (await pendingFor('grp.split', 'gs')).count === 0, 'nothing pending');
		await Promise.all([stopCleanly(one), stopCleanly(two)]);
	});

	test('--from-start without a group replays the retained history, then follows', async () => {
		for (const n of [1, 2, 3]) await post('replay.plain', `{"old":${n}}`);
		const proc = consumer('-t', 'replay.plain', '--from-start');
		await waitForData(proc, 3, 'the replaying consumer');
		await post('replay.plain', '{"new":4}');
		await waitForData(proc, 4, 'the replaying consumer');
		assert.equal(proc.lines()[0], 'Consumer subscribed to `replay.plain` Topic');
		assert.deepEqual(dataLines(proc), ['{"old":1}', '{"old":2}', '{"old":3}', '{"new":4}']);
		assert.equal(proc.lines().filter((l) => l === 'Received event on topic: replay.plain').length, 4);
		await stopCleanly(proc);
	});

	test('--from-start with a new group replays the history; a group without it starts at new events', async () => {
		for (const n of [1, 2, 3]) await post('replay.group', `{"old":${n}}`);
		for (const n of [1, 2]) await post('replay.none', `{"old":${n}}`);
		const replaying = consumer('-t', 'replay.group', '--group', 'rg', '--from-start');
		const fresh = consumer('-t', 'replay.none', '--group', 'rn');
		await Promise.all([waitForData(replaying, 3, 'the replaying member'), fresh.waitForLine('Reading the durable stream')]);
		await post('replay.group', '{"new":4}');
		await post('replay.none', '{"new":3}');
		await Promise.all([waitForData(replaying, 4, 'the replaying member'), waitForData(fresh, 1, 'the fresh member')]);
		assert.deepEqual(dataLines(replaying), ['{"old":1}', '{"old":2}', '{"old":3}', '{"new":4}']);
		assert.deepEqual(dataLines(fresh), ['{"new":3}']);
		await Promise.all([stopCleanly(replaying), stopCleanly(fresh)]);
	});

	test('--from-start with a group that exists already says so and does not replay', async () => {
		const topic = 'replay.existing';
		for (const n of [1, 2]) await post(topic, `{"old":${n}}`);
		// The group exists, at the end of the stream (as a member without --from-start leaves it).
		await redis.client.xgroup('CREATE', keys.stream(topic), 'rx', '$', 'MKSTREAM');
		const proc = consumer('-t', topic, '--group', 'rx', '--from-start');
		await proc.waitForLine('Reading the durable stream in group rx');
		const said = await proc.waitForLine(/^Group rx exists already/);
		assert.match(said, /--from-start applies to a new group/);
		await post(topic, '{"new":3}');
		await waitForData(proc, 1, 'the member');
		// A replay would have printed the older entries before the new one.
		assert.deepEqual(dataLines(proc), ['{"new":3}']);
		await stopCleanly(proc);
	});

	test('a member SIGKILLed while holding entries: another member with a short --claim-idle gets them', async () => {
		const topic = 'grp.kill';
		const group = 'gk';
		const a = consumer('-t', topic, '--group', group, '--name', 'member-a');
		await a.waitForLine('Reading the durable stream');
		// Freeze member A while Redis has its read blocked, then publish: the
		// entries go to that read and stay pending on it, unhandled. Its read may
		// time out between the look and the SIGSTOP; then nothing is delivered
		// to it, so let it handle them and try again.
		let held: string[] = [];
		for (let attempt = 0; attempt < 8 && held.length === 0; attempt++) {
			await waitFor(() => blockedInRead(a), 'member-a blocked in XREADGROUP');
			a.signal('SIGSTOP');
			const batch = Array.from({length: 5}, (_, i) => ({attempt, i}));
			await postBatch(topic, batch);
			try {
				await waitFor(async () => (await pendingFor(topic, group)).consumers['member-a'] === 5, 'five entries pending on member-a', 1000);
				held = batch.map((item) => JSON.stringify(item));
			} catch {
				a.signal('SIGCONT');
				await a.waitUntil(() => batch.every((item) => dataLines(a).includes(JSON.stringify(item))), 'member-a handled the batch');
				await waitFor(async () => (await pendingFor(topic, group)).count === 0, 'member-a acknowledged them');
			}
		}
		assert.equal(held.length, 5, 'member-a came to hold entries');
		a.signal('SIGKILL');
		await a.exited;
		assert.deepEqual((await pendingFor(topic, group)).consumers, {'member-a': 5});
		for (const body of held) assert.equal(dataLines(a).includes(body), false, 'member-a never handled them');

		const b = consumer('-t', topic, '--group', group, '--name', 'member-b', '--claim-idle', '300ms');
		await b.waitUntil(() => held.every((body) => dataLines(b).includes(body)), 'member-b printed the held entries');
		await waitFor(async () => (await pendingFor(topic, group)).count === 0, 'nothing pending after the claim');
		assert.equal(dataLines(b).filter((body) => held.includes(body)).length, 5, 'each held entry handled once');
		await stopCleanly(b);
	});

	test('entries trimmed away while pending are acknowledged, not claimed forever', async () => {
		const topic = 'grp.trim';
		const group = 'gt';
		const stream = keys.stream(topic);
		await redis.client.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
		for (const n of [1, 2, 3]) await post(topic, `{"trimmed":${n}}`);
		// A member that read three entries and died.
		const read = await redis.client.xreadgroup('GROUP', group, 'ghost', 'COUNT', 10, 'STREAMS', stream, '>');
		assert.ok(read);
		assert.equal((await pendingFor(topic, group)).consumers['ghost'], 3);
		// Then the stream is capped hard: the three are gone, still pending.
		await redis.client.xadd(stream, 'MAXLEN', '1', '*', 'specversion', '1.0', 'id', 'survivor-id', 'source', 'test', 'type', topic, 'time', new Date().toISOString(), 'datacontenttype', 'application/json', 'data', '{"survivor":true}');
		assert.equal(await redis.client.xlen(stream), 1);
		assert.equal((await pendingFor(topic, group)).count, 3);

		const proc = consumer('-t', topic, '--group', group, '--name', 'sweeper', '--claim-idle', '200ms');
		await waitForData(proc, 1, 'the member');
		await waitFor(async () => (await pendingFor(topic, group)).count === 0, 'the trimmed entries acknowledged');
		assert.deepEqual(dataLines(proc), ['{"survivor":true}']);
		await stopCleanly(proc);
	});
});
