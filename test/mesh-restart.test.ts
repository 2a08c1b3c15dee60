// The mesh across a broker restarted from its append-only file, and a link
// that flaps (its far broker stopped and resumed every second, for 30 s) under
// a steady flow: totals exact, no envelope id twice. And two mesh processes on
// one topology: the work shared, the figures summed.
import {after, describe, test} from 'node:test';
import {addGroup, expectExactly, publishMany, routeKnown, startBrokers, startMesh, stopBrokers, type Brokers} from './helpers/mesh.js';
import assert from 'node:assert/strict';
import os from 'node:os';
import {runCli, stopAllCli} from './helpers/process.js';
import {waitFor} from './helpers/redis.js';
import {keys} from '../source/redis/keys.js';

const started: Brokers[] = [];
after(async () => {
	await stopAllCli();
	for (const brokers of started) await stopBrokers(brokers);
});

describe('eda mesh across restarts and flaps', () => {
	test('the destination SIGKILLed mid-flow and restarted from its AOF: every event once', async () => {
		const brokers = await startBrokers(['a', 'b'], {appendOnly: true});
		started.push(brokers);
		const {a, b} = brokers;
		await addGroup(b!.client, 'orders');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b']);
		await routeKnown(a!.client, 'orders', 'b');
		const first = await publishMany(a!.client, 'orders', 3000, 'first');
		await waitFor(async () => (await b!.client.xlen(keys.stream('orders'))) > 0, 'some on b');
		await b!.kill();
		const second = await publishMany(a!.client, 'orders', 1000, 'second');
		await b!.restart();
		await expectExactly(b!.client, 'orders', [...first, ...second], 'b', 60_000);
		await mesh.stop();
	});

	test('a link flapping every second for 30 s under a steady flow: exact totals, no id twice', async () => {
		const brokers = await startBrokers(['a', 'b']);
		started.push(brokers);
		const {a, b} = brokers;
		await addGroup(b!.client, 'orders');
		const mesh = await startMesh({a: a!, b: b!}, ['a-b']);
		await routeKnown(a!.client, 'orders', 'b');
		const sent: string[] = [];
		let flowing = true;
		// About 200 events a second: 30 s of them stay within what b's stream keeps (10,000).
		const flow = (async () => {
			while (flowing) {
				sent.push(...(await publishMany(a!.client, 'orders', 10, 'flow')));
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
		})();
		for (let i = 0; i < 30; i++) {
			b!.pause();
			await new Promise((resolve) => setTimeout(resolve, 500));
			b!.resume();
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		flowing = false;
		await flow;
		assert.ok(sent.length > 3000 && sent.length < 10_000, `a steady flow all through (${sent.length} events)`);
		await expectExactly(b!.client, 'orders', sent, 'b', 60_000);
		await mesh.stop();
	});

	test('two mesh processes with one topology share the work: every event once', async () => {
		const brokers = await startBrokers(['a', 'b', 'c']);
		started.push(brokers);
		const {a, b, c} = brokers;
		for (const broker of [a!, b!, c!]) await addGroup(broker.client, 'orders');
		const one = await startMesh({a: a!, b: b!, c: c!}, ['a-b', 'b-c', 'c-a']);
		const two = await startMesh({a: a!, b: b!, c: c!}, ['a-b', 'b-c', 'c-a']);
		for (const [on, to] of [[a!, 'c'], [b!, 'c'], [c!, 'a']] as const) await routeKnown(on.client, 'orders', to);
		const sent = [...(await publishMany(a!.client, 'orders', 2000, 'a')), ...(await publishMany(b!.client, 'orders', 2000, 'b')), ...(await publishMany(c!.client, 'orders', 2000, 'c'))];
		for (const [name, broker] of Object.entries({a: a!, b: b!, c: c!})) await expectExactly(broker.client, 'orders', sent, name, 30_000);
		// Both ran bridges: each process is a member of the a>b group on a.
		const consumers = (await a!.client.xinfo('CONSUMERS', keys.stream('orders'), 'eda-mesh:b')) as unknown[][];
		const names = consumers.map((fields) => String(fields[fields.indexOf('name') + 1]));
		for (const proc of [one, two]) if (!names.some((name) => name.endsWith(`-${proc.pid}`))) throw new Error(`no member of pid ${proc.pid} in ${names.join(', ')}`);
		// eda mesh status from any broker: each link's count is both processes' parts summed
		// (each direction carried its origin's 2,000), and each process's part is listed.
		type Report = {links: {link: string; forwarded: number; processes: {process: string; forwarded: number; stale: boolean}[]}[]};
		let last = '';
		const report = await waitFor(async () => {
			const status = await runCli(['mesh', 'status', '--json', '--redis-url', c!.url]);
			assert.equal(status.code, 0, status.stderr);
			const read = JSON.parse(status.stdout) as Report;
			last = JSON.stringify(read.links.map((l) => [l.link, l.forwarded, l.processes.map((p) => p.forwarded)]));
			return read.links.length === 6 && read.links.every((l) => l.forwarded === 2000 && l.processes.length === 2) ? read : undefined;
		}, 'both processes\' figures summed on every link', 30_000).catch((error: unknown) => {
			throw new Error(`${String(error)}; last ${last}`);
		});
		for (const link of report.links) {
			assert.deepEqual(link.processes.map((p) => p.process).sort(), [one.pid, two.pid].map((pid) => `${os.hostname()}-${pid}`).sort(), `${link.link}: one part per process`);
			assert.equal(link.processes.reduce((sum, p) => sum + p.forwarded, 0), link.forwarded);
		}
		const text = await runCli(['mesh', 'status', '--redis-url', a!.url]);
		assert.match(text.stdout, /^ {2}2 processes: /m);
		await one.stop();
		await two.stop();
	});
});
