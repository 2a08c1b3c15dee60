// The Catalog view end to end in a real pseudo-terminal: `eda` on a private
// Redis whose catalog was written through the portal's own module
// (portal/catalog.ts), a real consumer group on the topic's stream; read back
// from a headless terminal emulator's screen.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {claimTopic, writeTopic} from '../source/portal/catalog.js';
import {freePort} from '../source/redis/private-server.js';
import {keys as redisKeys} from '../source/redis/keys.js';
import {spawnTerminal} from './helpers/terminal.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
});
after(async () => {
	await redis.stop();
});

/** Two versions of orderCreated: v1 {id, amount}, then v2 with amount renamed to total and made a string. */
async function writeCatalog(): Promise<void> {
	const [seconds] = await redis.client.time();
	const now = Number(seconds) * 1000;
	const topic = 'orderCreated';
	assert.ok(await claimTopic(redis.client, topic, 1), 'the topic claimed');
	const schema = {type: 'object', properties: {id: {type: 'string'}, total: {type: 'string'}}, required: ['id', 'total']};
	const written = await writeTopic(redis.client, 1, topic, '0-0', 'stream', [
		{
			entry: {version: 2, schema, producers: {shop: 41}, firstSeen: now - 60_000, lastSeen: now, rate: 1.5, count: 41, sample: '{"id":"a","total":"12"}'},
			newVersions: [
				{version: 1, at: now - 60_000, changes: [], breaks: []},
				{
					version: 2,
					at: now - 1000,
					changes: [
						{path: '/properties/amount', kind: 'property-removed', text: 'amount no longer sent'},
						{path: '/properties/total', kind: 'property-added', text: 'total now sent'},
					],
					breaks: [{path: '/properties/amount', kind: 'property-removed', direction: 'forward', why: 'readers of v1 require amount', text: ''}],
				},
			],
		},
	]);
	assert.ok(written, 'the catalog written');
	await redis.client.xgroup('CREATE', redisKeys.stream(topic), 'billing', '$', 'MKSTREAM');
}

describe('the Catalog view in a pty', {timeout: 120_000}, () => {
	it('C lists the topic with its version, producer, group and flags; Enter shows the tree and the diff with markers; Esc, q back out; q quits', async () => {
		await redis.client.flushall();
		await writeCatalog();
		const port = await freePort();
		const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port), '--no-color'], {columns: 120, rows: 30});
		try {
			await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`) && s.includes('C catalog'), 'started, C offered');
			term.write('C');
			const list = await term.waitForScreen((s) => s.includes('Event catalog: 1 topic') && /orderCreated/.test(s), 'the catalog');
			const row = list.split('\n').find((line) => line.includes('orderCreated')) ?? '';
			assert.match(row, /v2 +1\.5 none +shop 41 +billing lag 0 +undeclared, ungoverned groups/, 'version, rate, mode, producer, group, flags');
			term.write('\r');
			const detail = await term.waitForScreen((s) => s.includes('Last change: to v2'), 'the detail');
			assert.match(detail, /^ {4}id: string \(required\)$/m, 'the tree');
			assert.match(detail, /^\+ {3}total: string \(required\)$/m, 'the added field marked +');
			assert.match(detail, /^- {3}amount: removed$/m, 'the removed field marked -');
			assert.match(detail, /^- \/properties\/amount {2}property-removed: amount no longer sent$/m, 'the diff line');
			assert.match(detail, /breaks FORWARD: readers of v1 require amount/);
			term.write('\u001B');
			await term.waitForScreen((s) => !s.includes('Last change') && s.includes('Event catalog'), 'Esc: the list');
			term.write('q');
			await term.waitForScreen((s) => s.includes('1 Topics'), 'q: the panes');
			term.write('q');
			assert.equal(await term.exited, 0);
		} finally {
			term.kill();
		}
	});

	it("the dashboard's own portal watcher catalogues what is POSTed, a new version as the shape changes, and a registered schema's mode", async () => {
		await redis.client.flushall();
		const port = await freePort();
		const url = `http://127.0.0.1:${port}`;
		const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port), '--no-color'], {columns: 120, rows: 30});
		const post = async (body: string, path = '/topics/paymentTaken', method = 'POST') => {
			const answer = await fetch(`${url}${path}`, {method, headers: {'content-type': 'application/json'}, body});
			return answer.status;
		};
		try {
			await term.waitForScreen((s) => s.includes(`producer ${url}`) && s.includes('C catalog'), 'started');
			assert.equal(await post('{"id": "p1", "amount": 12}'), 200);
			term.write('C');
			await term.waitForScreen((s) => /paymentTaken +v1 /.test(s), 'v1 catalogued by the watcher');
			assert.equal(await post('{"id": "p2", "amount": 5, "note": "gift"}'), 200);
			await term.waitForScreen((s) => /paymentTaken +v2 /.test(s), 'v2: an optional field added');
			term.write('\r');
			await term.waitForScreen((s) => /^\+ {3}note: string$/m.test(s) && /^\+ \/properties\/note/m.test(s), 'the new field marked + in the tree and the diff');
			term.write('\u001B');
			assert.equal(await post(JSON.stringify({type: 'object', properties: {id: {type: 'string'}, amount: {type: 'integer'}}, required: ['id']}), '/schemas/paymentTaken', 'PUT'), 201, 'registered');
			await term.waitForScreen((s) => /paymentTaken +v2 d1 +\S+ enforce/.test(s), 'declared v1, enforced');
			term.write('q');
			term.write('q');
			assert.equal(await term.exited, 0);
		} finally {
			term.kill();
		}
	});

	it('the portal lab in the Labs view: v1 inferred, v steps the shape, r registers and enforces it, the next breaking event shows its 422', async () => {
		await redis.client.flushall();
		const port = await freePort();
		const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port), '--no-color'], {columns: 120, rows: 32});
		try {
			await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`) && s.includes('L labs'), 'started');
			term.write('L');
			await term.waitForScreen((s) => s.includes('› orders'), 'the picker');
			term.write('\u001B[B\u001B[B\u001B[B');
			await term.waitForScreen((s) => s.includes('› portal'), 'portal picked');
			term.write('\r');
			await term.waitForScreen((s) => s.includes('producer → lab.portal.orders: v1') && /^v1 .*first shape seen/m.test(s), 'v1 posted and inferred');
			term.write('v');
			await term.waitForScreen((s) => /^v2 .*: breaks/m.test(s) && s.includes('+ /properties/note property-added'), 'v2 inferred with the added note');
			term.write('r');
			await term.waitForScreen((s) => s.includes('declared v1, enforce, backward'), 'registered and enforced');
			term.write('v');
			const screen = await term.waitForScreen((s) => /last answer 422 .*does not match the declared schema/.test(s), 'the 422 on screen');
			assert.match(screen, /refused [1-9]/);
			term.write('q');
			await term.waitForScreen((s) => s.includes('1 Topics'), 'q: back to the panes, the lab stopped');
			term.write('q');
			assert.equal(await term.exited, 0);
		} finally {
			term.kill();
		}
	});
});
