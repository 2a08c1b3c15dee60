// The portal lab's invariants on real Redis: the portal infers each shape as
// a new version with its breaks; once the inferred shape is registered, a
// breaking event is answered 422 and nothing of it is stored or read; the
// group reads every stored event. The lab's ticker is off (rate 0): the test
// posts each event itself, so every count is exact.
import assert from 'node:assert/strict';
import {after, afterEach, before, beforeEach, describe, it} from 'node:test';
import {PortalLab, portalTopic} from '../source/labs/portal/lab.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';
import {memoryOutput} from './helpers/output.js';

let redis: TestRedis;
let session: RedisSession;
let lab: PortalLab;
const output = memoryOutput();
const {lines} = output;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
});
after(async () => {
	await session.close();
	await redis.stop();
});
beforeEach(async () => {
	await redis.client.flushall();
	lab = new PortalLab({session, output, port: 0, rate: 0, stepMs: 0});
	await lab.start();
});
afterEach(async () => {
	await lab.stop();
});

async function sendAll(count: number, status: number): Promise<void> {
	for (let i = 0; i < count; i++) assert.equal(await lab.send(), status, `event ${i + 1} answered ${status}`);
}

describe('eda lab portal', {timeout: 60_000}, () => {
	it('each shape is a new inferred version; the renamed, retyped field breaks compatibility and the v1 reader misses amount', async () => {
		await sendAll(3, 200);
		await waitFor(async () => (await lab.snapshot()).versions.length === 1, 'v1 inferred');
		lab.step();
		await sendAll(4, 200);
		const v2 = await waitFor(async () => (await lab.snapshot()).versions.find((v) => v.version === 2), 'v2 inferred');
		assert.ok(v2.changes.includes('+ /properties/note property-added'), `the note is an added field: ${v2.changes.join('; ')}`);
		lab.step();
		await sendAll(2, 200);
		const v3 = await waitFor(async () => (await lab.snapshot()).versions.find((v) => v.version === 3), 'v3 inferred');
		assert.ok(v3.changes.some((c) => c.includes('/properties/total')), `total appears: ${v3.changes.join('; ')}`);
		assert.ok(v3.breaks.length > 0, 'the rename and retype break a compatibility direction');
		assert.ok(v3.why, 'and says why');
		const read = await waitFor(async () => {
			const snap = await lab.snapshot();
			return snap.consumer.read === 9 ? snap.consumer : undefined;
		}, 'the group to read all nine');
		assert.equal(read.missingAmount, 2, 'only the two v3 events lack amount');
		assert.equal(await redis.client.xlen(keys.stream(portalTopic)), 9);
	});

	it('r registers the inferred shape and enforces it: the next breaking event gets 422, nothing of it stored or read', async () => {
		await sendAll(3, 200);
		lab.step();
		await sendAll(2, 200);
		await waitFor(async () => (await lab.snapshot()).versions.some((v) => v.version === 2), 'v2 inferred');
		const registered = await lab.register();
		assert.deepEqual(registered, {ok: true, version: 1});
		assert.deepEqual((await lab.snapshot()).declared, {version: 1, mode: 'enforce', compat: 'backward'});
		// The current shape still passes; a producer sees a registration within a second.
		await waitFor(async () => (await lab.send()) === 200, 'a v2 event accepted under the schema');
		lab.step();
		await waitFor(async () => (await lab.send()) === 422, 'the first v3 event refused');
		const snap = await lab.snapshot();
		assert.match(snap.lastRefusal ?? '', /^422 .*does not match the declared schema/);
		assert.equal(snap.refused, 1);
		assert.equal(await redis.client.xlen(keys.stream(portalTopic)), snap.stored, 'every stored event, and nothing refused, in the stream');
		const consumer = await waitFor(async () => {
			const s = await lab.snapshot();
			return s.consumer.read === snap.stored ? s.consumer : undefined;
		}, 'the group to read every stored event');
		assert.equal(consumer.missingAmount, 0, 'the v1 reader never saw a refused event');
		assert.ok(lines.some((line) => line.includes('POST answered 422')), 'the 422 is said in the log');
	});

	it('GET / and GET /portal list the routes with ready curl lines; registering before anything is inferred says why', async () => {
		const res = await fetch(`${lab.url}/portal`);
		const text = await res.text();
		assert.equal(res.status, 200);
		assert.ok(text.includes(`curl -X POST -H "Content-Type: application/json" -d '{"orderId": "mine", "total": "9.99"}' '${lab.url}/topics/${portalTopic}'`), text);
		assert.match(text, /POST \/portal\/register/);
		// GET / is the lab's usage like every lab's (GET /portal answers the same): its routes, each with a curl line on the real port.
		const usage = await (await fetch(`${lab.url}/`)).text();
		assert.equal(usage, text);
		assert.match(usage, /^The portal lab: /);
		for (const route of lab.routes()) assert.ok(usage.includes(`${route.method} ${route.path}\n`), `${route.method} ${route.path} in:\n${usage}`);
		assert.ok(usage.includes(`curl -X POST -H "Content-Type: application/json" -d '{"orderId": "mine", "total": "9.99"}' '${lab.url}/topics/${portalTopic}'`), usage);
		const refused = await fetch(`${lab.url}/portal/register`, {method: 'POST'});
		assert.equal(refused.status, 409);
		assert.match(((await refused.json()) as {error: string}).error, /nothing inferred yet/);
		assert.equal((await lab.snapshot()).declared, undefined);
	});
});
