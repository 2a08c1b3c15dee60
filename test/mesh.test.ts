// The event mesh on real, separate redis-servers with `eda mesh` as a real
// process: line and triangle topologies deliver every event exactly once to
// every broker with interest and to none without (transit brokers store what
// they carry), through the brokers' own streams and channels.
import assert from 'node:assert/strict';
import {after, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {keys} from '../source/redis/keys.js';
import {publishEvents} from '../source/topics/publish.js';
import {readLinkStates} from '../source/mesh/figures.js';
import {addGroup, expectExactly, publishMany, routeKnown, startBrokers, startMesh, stopBrokers, streamIds, type Brokers} from './helpers/mesh.js';
import {runCli, stackTrace, stopAllCli} from './helpers/process.js';
import {waitFor} from './helpers/redis.js';

const started: Brokers[] = [];
after(async () => {
	await stopAllCli();
	for (const brokers of started) await stopBrokers(brokers);
});

async function brokers(...names: string[]): Promise<Brokers> {
	const made = await startBrokers(names);
	started.push(made);
	return made;
}

/** Every link's state on `on` says nothing is behind. */
async function drained(on: Redis, links: number): Promise<void> {
	await waitFor(async () => {
		const states = await readLinkStates(on);
		return states.length === links && states.every((s) => s.backlog === 0 && s.state === 'up');
	}, 'every link drained');
}

describe('eda mesh', () => {
	test('--retain: a stream the mesh writes to keeps that many entries (the default keeps about 10,000)', async () => {
		const {a, b} = await brokers('a', 'b');
		await addGroup(b!.client, 'kept');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b'], ['--retain', '20000']);
		await routeKnown(a!.client, 'kept', 'b');
		const sent = await publishMany(a!.client, 'kept', 15_000, 'kept');
		await expectExactly(b!.client, 'kept', sent, 'b', 60_000);
		assert.equal(await b!.client.xlen(keys.stream('kept')), 15_000, 'all 15,000 kept on b');
		await mesh.stop();
	});

	test('a forwarded event keeps every byte: UTF-8, quotes, control characters, a large data, on the stream and the channel', async (t) => {
		const {a, b} = await brokers('a', 'b');
		await addGroup(b!.client, 'bytes');
		const subscriber = new Redis(b!.url);
		t.after(() => subscriber.disconnect());
		subscriber.on('error', () => undefined);
		const heard: Buffer[] = [];
		subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => heard.push(message));
		await subscriber.subscribe('bytes');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b']);
		await routeKnown(a!.client, 'bytes', 'b');
		const datas = ['{"name":"café 😀","quote":"\\"x\\"","tab":"\\t"}', 'plain text with a\nnewline and \u0001 a control byte', JSON.stringify({big: 'é'.repeat(60_000)})];
		await publishEvents(a!.client, 'bytes', datas.map((data, i) => ({envelope: {specversion: '1.0', id: `bytes-${i}`, source: 'test/bytes', type: 'bytes', time: new Date().toISOString(), datacontenttype: i === 1 ? 'text/plain' : 'application/json', data, subject: 'sujet ✓'}, wire: data})));
		await waitFor(async () => (await b!.client.xlen(keys.stream('bytes'))) === datas.length, 'the events on b');
		const sent = await a!.client.xrangeBuffer(keys.stream('bytes'), '-', '+');
		const got = await b!.client.xrangeBuffer(keys.stream('bytes'), '-', '+');
		const meshFields = new Set(['meshpath', 'meshhoplimit', 'meshfor']);
		const own = (fields: Buffer[]) => {
			const pairs: [string, string][] = [];
			for (let i = 0; i + 1 < fields.length; i += 2) pairs.push([String(fields[i]), (fields[i + 1] as Buffer).toString('base64')]);
			return pairs.filter(([name]) => !meshFields.has(name));
		};
		assert.deepEqual(got.map(([, fields]) => own(fields)), sent.map(([, fields]) => own(fields)), 'every field of every event, byte for byte');
		await waitFor(() => heard.length === datas.length, 'the subscriber on b to hear each');
		assert.deepEqual(heard.map((m) => m.toString('base64')), datas.map((d) => Buffer.from(d).toString('base64')), 'the channel carries the data, byte for byte');
		await mesh.stop();
	});

	test('a line a-b-c: events reach every broker with interest once, by the shortest path; none reach a broker without', async () => {
		const {a, b, c} = await brokers('a', 'b', 'c');
		const brokersAbc = {a: a!, b: b!, c: c!};
		// Interest in orders: a consumer group on a, a live subscriber on c. In audit: a group on b only.
		await addGroup(a!.client, 'orders');
		const subscriber = new Redis(c!.url);
		subscriber.on('error', () => undefined);
		const received: string[] = [];
		subscriber.on('message', (_channel: string, message: string) => received.push(message));
		await subscriber.subscribe('orders');
		await addGroup(b!.client, 'audit');
		const mesh = await startMesh(brokersAbc, ['a-b', 'b-c']);
		await routeKnown(a!.client, 'orders', 'c');
		await routeKnown(c!.client, 'orders', 'a');
		await routeKnown(b!.client, 'orders', 'a');
		await routeKnown(a!.client, 'audit', 'b');
		await routeKnown(c!.client, 'audit', 'b');

		const fromA = await publishMany(a!.client, 'orders', 300, 'a');
		const fromB = await publishMany(b!.client, 'orders', 300, 'b');
		const fromC = await publishMany(c!.client, 'orders', 300, 'c');
		const auditA = await publishMany(a!.client, 'audit', 100, 'audit-a');
		const auditC = await publishMany(c!.client, 'audit', 100, 'audit-c');

		const all = [...fromA, ...fromB, ...fromC];
		await expectExactly(a!.client, 'orders', all, 'a');
		await expectExactly(c!.client, 'orders', all, 'c');
		// b has no interest in orders but lies between a and c: it stores what it carries.
		await expectExactly(b!.client, 'orders', all, 'b (transit)');
		await expectExactly(b!.client, 'audit', [...auditA, ...auditC], 'b');
		await drained(b!.client, 4);
		// No broker without interest in audit got any of another's: a keeps its own, c its own.
		assert.deepEqual((await streamIds(a!.client, 'audit')).sort(), [...auditA].sort());
		assert.deepEqual((await streamIds(c!.client, 'audit')).sort(), [...auditC].sort());
		// The subscriber on c heard every orders event once: c's own and the forwarded ones.
		await waitFor(() => received.length >= all.length, 'the subscriber on c to hear every event');
		assert.equal(received.length, all.length);
		// A forwarded envelope keeps its id and says where it went.
		const entries = await c!.client.xrange(keys.stream('orders'), '-', '+');
		const [, fields] = entries.find(([, f]) => f[f.indexOf('id') + 1] === fromA[0]) ?? ['', []];
		const at = (name: string) => fields[fields.indexOf(name) + 1];
		assert.equal(at('id'), fromA[0]);
		assert.equal(at('meshpath'), 'a,b,c');
		assert.equal(at('meshhoplimit'), '8');
		assert.equal(at('source'), 'test/a');
		subscriber.disconnect();
		// SIGTERM stops every bridge and router cleanly.
		assert.deepEqual(await mesh.stop(), {code: 0, signal: null}, mesh.stderr());
		assert.doesNotMatch(mesh.stderr(), stackTrace);
	});

	test('a triangle: every event arrives exactly once on every broker with interest, and goes the direct way', async () => {
		const {a, b, c} = await brokers('a', 'b', 'c');
		for (const broker of [a!, b!, c!]) await addGroup(broker.client, 'orders');
		await addGroup(c!.client, 'audit');
		const mesh = await startMesh({a: a!, b: b!, c: c!}, ['a-b', 'b-c', 'c-a']);
		for (const [on, to] of [[a!, 'b'], [a!, 'c'], [b!, 'a'], [b!, 'c'], [c!, 'a'], [c!, 'b']] as const) await routeKnown(on.client, 'orders', to);
		await routeKnown(a!.client, 'audit', 'c');
		await routeKnown(b!.client, 'audit', 'c');

		const fromA = await publishMany(a!.client, 'orders', 400, 'a');
		const fromB = await publishMany(b!.client, 'orders', 400, 'b');
		const fromC = await publishMany(c!.client, 'orders', 400, 'c');
		const auditA = await publishMany(a!.client, 'audit', 100, 'audit-a');
		const auditB = await publishMany(b!.client, 'audit', 100, 'audit-b');
		const all = [...fromA, ...fromB, ...fromC];
		for (const [name, broker] of Object.entries({a: a!, b: b!, c: c!})) await expectExactly(broker.client, 'orders', all, name);
		await expectExactly(c!.client, 'audit', [...auditA, ...auditB], 'c');
		await drained(a!.client, 6);
		// The direct link, not the way round: c got a's audit events straight from a.
		const fromAt = new Set(auditA);
		for (const [, fields] of await c!.client.xrange(keys.stream('audit'), '-', '+')) {
			const at = (name: string) => fields[fields.indexOf(name) + 1];
			assert.equal(at('meshpath'), fromAt.has(at('id') as string) ? 'a,c' : 'b,c');
		}
		// a and b have no interest in audit and carry none of the other's.
		assert.deepEqual((await streamIds(a!.client, 'audit')).sort(), [...auditA].sort());
		assert.deepEqual((await streamIds(b!.client, 'audit')).sort(), [...auditB].sort());
		// `eda mesh status` from any one broker shows all six link directions and where interest is.
		type Report = {links: {link: string; state: string; forwarded: number; duplicates: number; stale: boolean}[]; interest: Record<string, Record<string, {dist: number}>>};
		const counted = JSON.stringify([400, 500, 400, 500, 400, 400]);
		// Each bridge writes its figures about once a second, so the first read may
		// come before the last events are counted: read until every one is.
		let last = '';
		const report = await waitFor(async () => {
			const status = await runCli(['mesh', 'status', '--json', '--redis-url', b!.url]);
			assert.equal(status.code, 0, status.stderr);
			const read = JSON.parse(status.stdout) as Report;
			last = JSON.stringify(read.links.map((l) => l.forwarded));
			return last === counted ? read : undefined;
		}, 'the link figures to count every forwarded event', 30_000).catch((error: unknown) => {
			throw new Error(`${String(error)}; last forwarded counts ${last}`);
		});
		assert.deepEqual(report.links.map((l) => l.link), ['a>b', 'a>c', 'b>a', 'b>c', 'c>a', 'c>b']);
		assert.ok(report.links.every((l) => l.state === 'up' && !l.stale));
		// Each direction carried its origin's orders (400) plus, a>c and b>c, the audit events (100).
		assert.deepEqual(report.links.map((l) => l.forwarded), [400, 500, 400, 500, 400, 400]);
		// Nothing was sent twice: a broker passes an event on only toward the brokers it was sent to it for (meshfor),
		// so c never offers b what a already sent b directly (the dedupe window would refuse it, counted here).
		assert.deepEqual(report.links.map((l) => l.duplicates), [0, 0, 0, 0, 0, 0]);
		assert.deepEqual(report.interest['audit'], {c: {dist: 1, via: 'c'}});
		const text = await runCli(['mesh', 'status', '--redis-url', a!.url]);
		assert.match(text.stdout, /^a>c +up /m);
		assert.match(text.stdout, /audit: c at 1 via c/);
		// And after everything drained, still exactly once everywhere.
		for (const [name, broker] of Object.entries({a: a!, b: b!, c: c!})) await expectExactly(broker.client, 'orders', all, name);
		await mesh.stop();
	});
});
