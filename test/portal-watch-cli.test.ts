// `eda portal watch|scan|export` as real processes: two watchers, one writes;
// killed with SIGKILL (no resign, no last write), the other takes the lease
// when it runs out and goes on from the stored position. Usage errors exit 2
// with one line.
import assert from 'node:assert/strict';
import {randomUUID} from 'node:crypto';
import {after, before, describe, it} from 'node:test';
import {readCatalog} from '../source/portal/catalog.js';
import {keys} from '../source/redis/keys.js';
import type {OutgoingEvent} from '../source/topics/envelope.js';
import {publishEvents} from '../source/topics/publish.js';
import {runCli, spawnCli, stopAllCli} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

function event(topic: string, data: unknown): OutgoingEvent {
	const text = JSON.stringify(data);
	return {envelope: {specversion: '1.0', id: randomUUID(), source: 'cli-test', type: topic, time: new Date().toISOString(), datacontenttype: 'application/json', data: text}, wire: text};
}

describe('eda portal as processes', () => {
	let redis: TestRedis;
	before(async () => {
		redis = await startTestRedis();
	});
	after(async () => {
		await stopAllCli();
		await redis.stop();
	});

	it('two `eda portal watch`: one writes; SIGKILL it and the other takes over, counting each event once', async () => {
		const a = spawnCli(['portal', 'watch', '--json', '--redis-url', redis.url]);
		const b = spawnCli(['portal', 'watch', '--json', '--redis-url', redis.url]);
		const leaderRecord = (line: string) => line.includes('"portal-leader"');
		const first = await waitFor(() => [a, b].find((p) => p.lines().some(leaderRecord)), 'one watcher to lead', 20_000);
		const second = first === a ? b : a;
		const topic = 'proc.failover';
		await publishEvents(redis.client, topic, [event(topic, {n: 1}), event(topic, {n: 2})]);
		await waitFor(async () => (await readCatalog(redis.client)).find((e) => e.topic === topic)?.count === 2, 'two events counted');
		first.signal('SIGKILL');
		await first.exited;
		// Published while nobody leads: the next leader reads them from the stored position.
		await publishEvents(redis.client, topic, [event(topic, {n: 3, late: true})]);
		await second.waitUntil(() => second.lines().some(leaderRecord), 'the second watcher to take the lease', 20_000);
		const entry = await waitFor(async () => {
			const found = (await readCatalog(redis.client)).find((e) => e.topic === topic);
			return found?.count === 3 ? found : undefined;
		}, 'the third event counted once');
		assert.equal(entry.version, 2);
		assert.deepEqual(entry.producers, {'cli-test': 3});
		assert.equal(second.lines().filter(leaderRecord).length, 1);
		assert.deepEqual(await second.stop(), {code: 0, signal: null});
		assert.equal(await redis.client.exists(keys.portal.leader), 0, 'a watcher that stops gives the lease back');
	});

	it('scan says when a watcher keeps the catalog, and scans when none does', async () => {
		const watcher = spawnCli(['portal', 'watch', '--redis-url', redis.url]);
		await watcher.waitForLine('Portal watcher writes the catalog');
		const busy = await runCli(['portal', 'scan', '--redis-url', redis.url]);
		assert.equal(busy.code, 0, busy.stderr);
		assert.match(busy.stdout, /A portal watcher \(portal:.*\) keeps the catalog already; nothing to scan/);
		await watcher.stop();
		const scanned = await runCli(['portal', 'scan', '--json', '--redis-url', redis.url]);
		assert.equal(scanned.code, 0, scanned.stderr);
		assert.equal((JSON.parse(scanned.stdout) as {event: string}).event, 'scanned');
	});

	it('usage errors exit 2 with one clear line', async () => {
		for (const [args, expected] of [
			[['portal', 'export', '--format', 'xml'], /--format: "xml" is not yaml or json/],
			[['portal', 'scan', '--out', 'x.yaml'], /--format and --out go with eda portal export/],
			[['portal', 'import'], /eda portal import needs an AsyncAPI document/],
			[['portal', 'import', '/nonexistent/doc.yaml'], /\/nonexistent\/doc\.yaml: no such file/],
			[['portal', 'audit', 'extra'], /eda portal audit: unexpected "extra"/],
		] as const) {
			const result = await runCli([...args, '--redis-url', redis.url]);
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr.split('\n')[0] ?? '', expected);
			assert.doesNotMatch(result.stderr, /\n\s+at /);
		}
	});
});
