// `eda mesh`'s bad input as a real process: one clear line and exit 2 for a
// topology that cannot be, one line and exit 1 for a broker that does not
// answer, and nothing written anywhere in either case.
import assert from 'node:assert/strict';
import {writeFileSync, mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {keys} from '../source/redis/keys.js';
import {runCli, stackTrace} from './helpers/process.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

let east: TestRedis;
let west: TestRedis;
before(async () => {
	east = await startTestRedis();
	west = await startTestRedis();
});
after(async () => {
	await east.stop();
	await west.stop();
});

/** The first line of stderr, after checking the run ended with `code` and no stack trace. */
async function refused(args: string[], code: number): Promise<string> {
	const result = await runCli(['mesh', ...args]);
	assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
	assert.doesNotMatch(result.stderr, stackTrace);
	// A usage error (2) prints the help after its line; an unreachable broker only its line.
	if (code === 1) assert.equal(result.stdout, '', 'nothing on stdout');
	return result.stderr.split('\n')[0] ?? '';
}

describe('eda mesh refuses what cannot be a mesh', () => {
	test('an unknown broker in a link', async () => {
		const line = await refused(['--broker', `east=${east.url}`, '--broker', `west=${west.url}`, '--link', 'east-north'], 2);
		assert.match(line, /^link east-north: unknown broker north \(brokers: east, west\)$/);
	});

	test('a link to itself', async () => {
		const line = await refused(['--broker', `east=${east.url}`, '--broker', `west=${west.url}`, '--link', 'east-east'], 2);
		assert.match(line, /^link east-east: a broker cannot link to itself$/);
	});

	test('two brokers with one URL, however it is spelled', async () => {
		const other = east.url.replace('127.0.0.1', 'localhost');
		const line = await refused(['--broker', `east=${east.url}`, '--broker', `west=${other}`, '--link', 'east-west'], 2);
		assert.match(line, /^brokers east and west have one URL/);
	});

	test('a broker name with other characters, a link without a dash, no link', async () => {
		assert.match(await refused(['--broker', `ea-st=${east.url}`, '--broker', `west=${west.url}`, '--link', 'west-ea'], 2), /broker name "ea-st": a broker name may hold only letters, digits and _/);
		assert.match(await refused(['--broker', `east=${east.url}`, '--broker', `west=${west.url}`, '--link', 'eastwest'], 2), /expected two broker names joined by -/);
		assert.match(await refused(['--broker', `east=${east.url}`, '--broker', `west=${west.url}`], 2), /needs at least one link/);
	});

	test('a config file that is not JSON, and one that works like the flags', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'eda-mesh-config-'));
		const bad = path.join(dir, 'bad.json');
		writeFileSync(bad, '{brokers:');
		assert.match(await refused(['--config', bad], 2), /not JSON/);
		const selfLink = path.join(dir, 'self.json');
		writeFileSync(selfLink, JSON.stringify({brokers: {east: east.url, west: west.url}, links: ['west-west']}));
		assert.match(await refused(['--config', selfLink], 2), /^link west-west: a broker cannot link to itself$/);
	});

	test('a broker that does not answer: one line naming it, exit 1, nothing written on the one that does', async () => {
		const line = await refused(['--broker', `east=${east.url}`, '--broker', 'west=redis://127.0.0.1:1', '--link', 'east-west'], 1);
		assert.match(line, /^eda: broker west: Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
		assert.equal(await east.client.exists(keys.mesh.routes, keys.mesh.links), 0);
		const clients = String(await east.client.client('LIST'));
		assert.doesNotMatch(clients, /name=eda:mesh/, 'no mesh connection left on east');
	});
});
