// `eda portal register|check` as real processes on a private Redis: what they
// print and their exit codes (0 ok, 1 refused or Redis failed, 2 usage),
// and --check-retained naming the retained events a schema would refuse.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {keys} from '../source/redis/keys.js';
import {publishEvents} from '../source/topics/publish.js';
import {defaultSource, type OutgoingEvent} from '../source/topics/envelope.js';
import {runCli, stackTrace, stopAllCli} from './helpers/process.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let dir: string;

before(async () => {
	redis = await startTestRedis();
	dir = mkdtempSync(path.join(os.tmpdir(), 'eda-portal-cli-'));
});

after(async () => {
	await stopAllCli();
	await redis.stop();
	rmSync(dir, {recursive: true, force: true});
});

function schemaFile(name: string, schema: unknown): string {
	const file = path.join(dir, name);
	writeFileSync(file, typeof schema === 'string' ? schema : JSON.stringify(schema));
	return file;
}

const eda = (args: string[]) => runCli([...args, '--redis-url', redis.url]);

const v1 = {type: 'object', properties: {id: {type: 'string'}, total: {type: 'number'}}, required: ['id'], additionalProperties: false};

function event(data: unknown, i: number): OutgoingEvent {
	const text = JSON.stringify(data);
	return {wire: text, envelope: {specversion: '1.0', id: `ev-${i}`, source: defaultSource, type: 'sales', time: new Date().toISOString(), datacontenttype: 'application/json', data: text}};
}

describe('eda portal register and check', () => {
	test('register: version 1, then the same file again registers nothing; exit 0', async () => {
		const file = schemaFile('v1.json', v1);
		const first = await eda(['portal', 'register', 'sales', file]);
		assert.equal(first.code, 0, first.stderr);
		assert.match(first.stdout, /^Registered sales version 1 \(compat backward, mode enforce\)/);
		const again = await eda(['portal', 'register', 'sales', file, '--json']);
		assert.equal(again.code, 0);
		assert.equal(JSON.parse(again.stdout.trim())['result'], 'unchanged');
		assert.equal(await redis.client.llen(keys.portal.schemaVersions('sales')), 1);
	});

	test('an incompatible schema: check and register exit 1 naming each break; nothing registered', async () => {
		const file = schemaFile('v2.json', {...v1, properties: {...v1.properties, total: {type: 'string'}}});
		const checked = await eda(['portal', 'check', 'sales', file]);
		assert.equal(checked.code, 1);
		assert.match(checked.stdout, /sales: the schema is not backward compatible with version 1:\n {2}\/properties\/total {2}type-changed {2}breaks backward: /);
		const registered = await eda(['portal', 'register', 'sales', file, '--compat', 'full', '--json']);
		assert.equal(registered.code, 1);
		const record = JSON.parse(registered.stdout.trim()) as {result: string; breaks: Array<{path: string; direction: string}>};
		assert.equal(record.result, 'incompatible');
		assert.deepEqual(record.breaks.map((b) => b.path), ['/properties/total', '/properties/total']);
		assert.deepEqual(record.breaks.map((b) => b.direction).sort(), ['backward', 'forward']);
		assert.equal(await redis.client.llen(keys.portal.schemaVersions('sales')), 1);
	});

	test('--check-retained N names the retained events the schema would refuse (newest first); register then stores nothing', async () => {
		await publishEvents(redis.client, 'sales', [event({id: 'a', total: 1}, 1), event({id: 'b', total: 'two'}, 2), event({id: 'c'}, 3), event({id: 'd', total: 4.5}, 4)]);
		const ids = (await redis.client.xrange(keys.stream('sales'), '-', '+')).map(([id]) => id);
		// Totals must now be whole: events 2 (a string) and 4 (4.5) fail; only the last three are read.
		const whole = schemaFile('v3.json', {...v1, properties: {...v1.properties, total: {type: 'integer'}}});
		const checked = await eda(['portal', 'check', 'sales', whole, '--compat', 'none', '--check-retained', '3', '--json']);
		assert.equal(checked.code, 1, checked.stderr);
		const lines = checked.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
		assert.deepEqual(lines.map((l) => l['retained'] ?? l['result']), [ids[3], ids[1], 'retained-refused']);
		assert.deepEqual((lines[0]?.['failures'] as unknown[])[0], {path: '/total', message: 'must be integer'});
		assert.equal(lines[2]?.['read'], 3);
		const text = await eda(['portal', 'register', 'sales', whole, '--compat', 'none', '--check-retained', '100']);
		assert.equal(text.code, 1);
		assert.match(text.stdout, /^Checked the last 4 retained event\(s\) of sales: 2 would have been refused\n {2}\S+ {2}\/total must be integer/);
		assert.match(text.stderr, /nothing registered: 2 retained event\(s\) of sales fail the schema/);
		assert.equal(await redis.client.llen(keys.portal.schemaVersions('sales')), 1);
		// A schema all of them pass registers.
		const loose = schemaFile('v4.json', {...v1, properties: {...v1.properties, total: {type: ['number', 'string']}}});
		const ok = await eda(['portal', 'register', 'sales', loose, '--compat', 'none', '--mode', 'warn', '--check-retained', '100']);
		assert.equal(ok.code, 0, ok.stderr);
		assert.match(ok.stdout, /none would have been refused\nRegistered sales version 2 \(compat none, mode warn\)/);
	});

	test('usage errors exit 2, a refused schema 1, an unreachable Redis 1; never a stack trace', async () => {
		const file = schemaFile('ok.json', v1);
		const cases: Array<[string[], number, RegExp]> = [
			[['portal'], 2, /eda portal needs an action/],
			[['portal', 'publish', 'x', file], 2, /unknown action "publish"/],
			[['portal', 'register', 'sales'], 2, /needs a topic and a schema file/],
			[['portal', 'register', 'sales', file, '--compat', 'sideways'], 2, /--compat: "sideways" is not one of backward, forward, full, none/],
			[['portal', 'check', 'sales', file, '--check-retained', '0'], 2, /--check-retained: expected a whole number from 1 to 100000/],
			[['portal', 'register', 'eda:x', file], 2, /reserved topic/],
			[['portal', 'register', 'sales', path.join(dir, 'missing.json')], 2, /missing\.json: no such file/],
			[['portal', 'register', 'sales', schemaFile('bad.json', {type: 'object', properties: {n: {type: 'numbr'}}})], 1, /at \/properties\/n\/type: must be equal to one of the allowed values/],
			[['portal', 'check', 'sales', schemaFile('remote.json', {$ref: 'https://example.com/s.json'})], 1, /only local references/],
		];
		for (const [args, code, message] of cases) {
			const run = await eda(args);
			assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
			assert.match(run.stderr, message, args.join(' '));
			assert.doesNotMatch(run.stderr, stackTrace);
		}
		const away = await runCli(['portal', 'check', 'sales', file, '--redis-url', 'redis://127.0.0.1:1']);
		assert.equal(away.code, 1, away.stderr);
		assert.doesNotMatch(away.stderr, stackTrace);
	});
});
