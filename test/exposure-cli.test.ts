// Exposing the producer, as a user meets it in real processes: protected
// mode (exit 2 naming both ways out), --insecure (starts, warns), the token
// from a flag, a file or EDA_TOKEN and never printed; Redis passwords masked
// in every line eda prints and in /healthz.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {describeError} from '../source/errors.js';
import {isLoopbackHost} from '../source/net/loopback.js';
import {freePort} from '../source/redis/private-server.js';
import {cleartextWarning, clusterCleartextWarning} from '../source/redis/exposure.js';
import {maskSecrets, maskUrl} from '../source/text/mask-url.js';
import {request} from './helpers/http.js';
import {runCli, spawnCli, stackTrace, stopAllCli, type CliProcess} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

const token = 'tok-9f8e7d6c5b4a39281706';
const password = 'hunter2-Pa55';
let redis: TestRedis;
/** A second Redis that wants `password`. */
let locked: TestRedis;
let lockedUrl: string;
let dir: string;

before(async () => {
	redis = await startTestRedis();
	locked = await startTestRedis();
	await locked.client.config('SET', 'requirepass', password);
	lockedUrl = `redis://:${password}@127.0.0.1:${locked.port}`;
	dir = mkdtempSync(path.join(os.tmpdir(), 'eda-token-'));
});

after(async () => {
	await stopAllCli();
	await redis.stop();
	await locked.stop();
	rmSync(dir, {recursive: true, force: true});
});

/** Starts eda with `args` and waits for its producer's listening line. */
async function listening(args: string[], env?: Record<string, string>): Promise<{proc: CliProcess; url: string}> {
	const proc = spawnCli(args, {env});
	const line = await proc.waitForLine(/listening.*http/, 'the listening line', 20_000);
	const url = /(http:\/\/[^\s"]+)/.exec(line)?.[1]?.replace('0.0.0.0', '127.0.0.1') ?? '';
	return {proc, url};
}

function assertNeverPrinted(proc: {stdout: string | (() => string); stderr: string | (() => string)}, secret: string): void {
	const text = (s: string | (() => string)) => (typeof s === 'string' ? s : s());
	assert.ok(!text(proc.stdout).includes(secret) && !text(proc.stderr).includes(secret), `printed: ${text(proc.stdout)}\n${text(proc.stderr)}`);
}

describe('protected mode: a public --host needs a token or --insecure', {concurrency: 3}, () => {
	for (const args of [['api-server'], ['lab', 'deferred'], ['--plain']]) {
		test(`eda ${args.join(' ')} --host 0.0.0.0 without a token: exit 2, one line naming --token and --insecure`, async () => {
			const port = await freePort();
			const result = await runCli([...args, '--host', '0.0.0.0', '--port', String(port), '--redis-url', redis.url]);
			assert.deepEqual([result.code, result.signal], [2, null], result.stderr);
			const why = result.stderr.split('\n')[0] ?? '';
			assert.match(why, /--host 0\.0\.0\.0/);
			assert.match(why, /--token/);
			assert.match(why, /--insecure/);
			assert.doesNotMatch(result.stderr, stackTrace);
			assert.equal((await request(`http://127.0.0.1:${port}`, '/').catch(() => undefined))?.status, undefined, 'nothing listens');
		});
	}

	test('--insecure starts on 0.0.0.0, warns, and serves without a token', async () => {
		const port = await freePort();
		const {proc, url} = await listening(['api-server', '--host', '0.0.0.0', '--insecure', '--port', String(port), '--redis-url', redis.url]);
		await proc.waitForLine(/Warning: --insecure: the producer listens on 0\.0\.0\.0 with no token/, 'the warning');
		assert.equal((await request(url, '/topics')).status, 200);
		await proc.stop();
	});

	test('loopback needs neither (127.0.0.2, localhost)', async () => {
		for (const host of ['127.0.0.2', 'localhost']) {
			const {proc} = await listening(['api-server', '--host', host, '--port', String(await freePort()), '--redis-url', redis.url]);
			assert.doesNotMatch(proc.stdout(), /Warning/);
			await proc.stop();
		}
	});
});

describe('the token: from --token, --token-file or EDA_TOKEN, never printed', {concurrency: 3}, () => {
	test('--token-file on 0.0.0.0: 401 without, 200 with; --json records hold no token', async () => {
		const file = path.join(dir, 'token');
		writeFileSync(file, `${token}\n`);
		const {proc, url} = await listening(['api-server', '--host', '0.0.0.0', '--token-file', file, '--json', '--port', String(await freePort()), '--redis-url', redis.url]);
		assert.equal((await request(url, '/topics')).status, 401);
		assert.equal((await request(url, '/topics', {headers: {authorization: `Bearer ${token}`}})).status, 200, 'the trailing newline is not part of it');
		assert.equal((await request(url, '/healthz')).status, 200);
		assert.match(proc.stdout(), /"tokenRequired":true/);
		await proc.stop();
		assertNeverPrinted(proc, token);
	});

	test('EDA_TOKEN and --token work the same', async () => {
		for (const [args, env] of [[['--token', token], {}], [[], {EDA_TOKEN: token}]] as const) {
			const {proc, url} = await listening(['api-server', ...args, '--port', String(await freePort()), '--redis-url', redis.url], env);
			assert.equal((await request(url, '/topics')).status, 401);
			assert.equal((await request(url, '/topics', {headers: {authorization: `Bearer ${token}`}})).status, 200);
			await proc.stop();
			assertNeverPrinted(proc, token);
		}
	});

	test('eda lab deferred --token: its own producer wants the token, and its burst carries it', async () => {
		const port = await freePort();
		const proc = spawnCli(['lab', 'deferred', '--token', token, '--burst', '2', '--port', String(port), '--redis-url', redis.url]);
		await proc.waitForLine(/Burst 1: 2 tasks posted/, 'the first burst, posted through the producer', 30_000);
		assert.equal((await request(`http://127.0.0.1:${port}`, '/topics')).status, 401);
		await proc.stop();
		assertNeverPrinted(proc, token);
	});

	test('the plain dashboard --token: its producer wants the token', async () => {
		const {proc, url} = await listening(['--plain', '--token', token, '--port', String(await freePort()), '--redis-url', redis.url]);
		assert.equal((await request(url, '/topics')).status, 401);
		assert.equal((await request(url, '/topics', {headers: {authorization: `Bearer ${token}`}})).status, 200);
		await proc.stop();
		assertNeverPrinted(proc, token);
	});

	test('bad token flags are usage errors that do not print the token', async () => {
		const cases: [string[], RegExp][] = [
			[['--token-file', path.join(dir, 'missing')], /--token-file .*missing: no such file/],
			// An endless file: the start reads a bounded prefix and refuses it, instead of hanging.
			[['--token-file', '/dev/zero'], /--token-file \/dev\/zero: longer than 4096 bytes/],
			[['--token', token, '--token-file', path.join(dir, 'token')], /--token or --token-file, not both/],
			[['--token', `${token} with spaces`], /printable ASCII without spaces/],
			[[`--tokn=${token}`], /Unknown flag: --tokn$/m],
		];
		for (const [args, message] of cases) {
			const result = await runCli(['api-server', ...args, '--redis-url', redis.url]);
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, message);
			assertNeverPrinted(result, token);
		}
	});
});

test('eda --help and eda lab name the token flags', async () => {
	const help = await runCli(['--help']);
	assert.equal(help.code, 0);
	for (const flag of ['--token T', '--token-file PATH', '--insecure', 'EDA_TOKEN']) assert.ok(help.stdout.includes(flag), `--help names ${flag}`);
	const labs = await runCli(['lab']);
	assert.match(labs.stdout, /--token T or --token-file PATH \(or EDA_TOKEN\), --insecure/);
});

describe('Redis passwords never printed', {concurrency: 3}, () => {
	test('api-server on a Redis with a password: stdout, stderr, --json and /healthz (up and down) hold no password', async (t) => {
		// A Redis of its own: this test hangs it (SIGSTOP), and the tests beside it run meanwhile against the shared one.
		const hung = await startTestRedis();
		t.after(() => hung.stop());
		await hung.client.config('SET', 'requirepass', password);
		const {proc, url} = await listening(['api-server', '--json', '--port', String(await freePort()), '--redis-url', `redis://:${password}@127.0.0.1:${hung.port}`]);
		const up = await request(url, '/healthz');
		assert.equal(up.status, 200);
		assert.ok(!up.text.includes(password));
		// The AsyncAPI document's servers name the Redis, its password masked.
		const asyncapi = await request(url, '/asyncapi.json');
		assert.equal(asyncapi.status, 200);
		assert.ok(!asyncapi.text.includes(password), asyncapi.text);
		assert.match(asyncapi.text, /The Redis eda ran on: redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
		hung.pause();
		try {
			const down = await waitFor(async () => {
				const reply = await request(url, '/healthz');
				return reply.status === 503 ? reply : undefined;
			}, '/healthz 503 while Redis is hung');
			assert.ok(!down.text.includes(password), down.text);
		} finally {
			hung.resume();
		}
		await proc.stop();
		assertNeverPrinted(proc, password);
	});

	test('error lines: no Redis there, wrong password, an unparseable URL', async () => {
		const port = await freePort();
		const cases: [string, RegExp][] = [
			[`redis://:${password}@127.0.0.1:${port}`, /Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/],
			[`redis://:${password}x@127.0.0.1:${locked.port}`, /refused the credentials/],
			[`redis://:${password}@exa mple.com:6379`, /is not a URL/],
			[`redis://127.0.0.1:${port}?password=${password}`, /password=\*\*\*/],
		];
		for (const [redisUrl, message] of cases) {
			const result = await runCli(['api-server', '--redis-url', redisUrl]);
			assert.notEqual(result.code, 0);
			assert.match(result.stderr, message);
			assertNeverPrinted(result, password);
		}
	});

	test('the hints on where a password goes are not masked away', async () => {
		// Every error line is masked as a whole: a hint written as a URL with a
		// password read "redis://:***@host:port", which tells nobody where it goes.
		const cases = [
			`redis://:${password}x@127.0.0.1:${locked.port}`,
			`redis://:${password}@exa mple.com:6379`,
			`redis://:${password}@127.0.0.1:${locked.port}/abc`,
		];
		for (const redisUrl of cases) {
			const result = await runCli(['deferred', 'list', '--redis-url', redisUrl]);
			assert.notEqual(result.code, 0);
			assert.doesNotMatch(result.stderr, /\*\*\*@host/, result.stderr);
			assert.match(result.stderr, /:password@/, result.stderr);
			assertNeverPrinted(result, password);
		}
	});

	test('cluster seeds in an error line: every seed named, each password masked', async () => {
		// Nothing listens on either seed: the line names both (masked once by maskUrl, then the whole line again).
		const [a, b] = [await freePort(), await freePort()];
		for (const seeds of [`redis://:${password}@127.0.0.1:${a},redis://:${password}@127.0.0.1:${b}`, `redis://127.0.0.1:${a}?password=${password},redis://127.0.0.1:${b}?password=${password}`]) {
			const result = await runCli(['deferred', 'list', '--cluster', '--redis-url', seeds]);
			assert.equal(result.code, 1, result.stderr);
			assert.match(result.stderr, /Cannot reach a Redis Cluster/);
			assert.ok(result.stderr.includes(`127.0.0.1:${a}`) && result.stderr.includes(`127.0.0.1:${b}`), `both seeds named: ${result.stderr}`);
			assertNeverPrinted(result, password);
		}
	});

	test('commands added later keep to it: events, trace, groups, migrate, mesh status, portal export, eda mesh', async () => {
		// A key of the layout before hash tags: each session's line saying to run eda migrate names the Redis.
		const writer = new Redis(lockedUrl);
		await writer.xadd('eda:stream:beforeTags', '*', 'data', '{}');
		writer.disconnect();
		for (const args of [['events', 'none'], ['trace', 'none'], ['groups', 'none'], ['migrate'], ['mesh', 'status', '--json'], ['portal', 'export']]) {
			const result = await runCli([...args, '--redis-url', lockedUrl]);
			assert.ok(result.code === 0 || result.code === 3, `${args.join(' ')}: ${result.stderr}`);
			if (args[0] === 'events') assert.match(result.stderr, /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ holds eda keys of the layout before/);
			if (args[0] === 'migrate') assert.match(result.stdout, /eda:stream:beforeTags/);
			assertNeverPrinted(result, password);
		}
		for (const args of [['migrate'], ['mesh', 'status']]) {
			const refused = await runCli([...args, '--redis-url', lockedUrl.replace(password, `${password}x`)]);
			assert.equal(refused.code, 1, refused.stderr);
			assert.match(refused.stderr, /refused the credentials/);
			assertNeverPrinted(refused, password);
		}
		// The mesh's brokers: one that does not answer, one with a wrong password, two spellings of one server.
		const free = await freePort();
		const meshes: [string[], RegExp][] = [
			[[`east=${lockedUrl}`, `west=redis://:${password}@127.0.0.1:${free}`], /broker west: Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/],
			[[`east=${lockedUrl.replace(password, `${password}x`)}`, `west=${redis.url}`], /broker east: .*refused the credentials/],
			[[`east=${lockedUrl}`, `west=${lockedUrl.replace('127.0.0.1', 'localhost')}`], /have one URL \(redis:\/\/:\*\*\*@localhost/],
		];
		for (const [brokers, message] of meshes) {
			const result = await runCli(['mesh', ...brokers.flatMap((broker) => ['--broker', broker]), '--link', 'east-west']);
			assert.notEqual(result.code, 0);
			assert.match(result.stderr, message);
			assertNeverPrinted(result, password);
		}
	});

	test('a cleartext Redis URL beyond loopback gets one warning line', async () => {
		// TEST-NET-1: nothing answers, so eda warns, waits, and says it cannot reach it.
		const result = await runCli(['api-server', '--redis-url', 'redis://192.0.2.1:6379']);
		assert.equal(result.code, 1);
		const warnings = result.stderr.split('\n').filter((line) => line.startsWith('Warning: Redis at redis://192.0.2.1:6379'));
		assert.equal(warnings.length, 1, result.stderr);
		assert.match(warnings[0] ?? '', /no password and no TLS/);
		// A cluster's seeds: the first one's password and TLS go to every node, so a later seed beyond loopback is warned about too.
		const seeds = await runCli(['deferred', 'list', '--cluster', '--redis-url', `redis://127.0.0.1:${await freePort()},redis://192.0.2.1:6379`]);
		assert.equal(seeds.code, 1);
		assert.deepEqual(seeds.stderr.split('\n').filter((line) => line.startsWith('Warning: Redis at')), ['Warning: Redis at redis://192.0.2.1:6379 is reached with no password and no TLS; anyone on the network can read and change the events. Use rediss:// and a password (rediss://:password@host:port). With --cluster the first seed\'s password and TLS are every node\'s.'], seeds.stderr);
	});
});

describe('masking and loopback, as functions', () => {
	test('maskUrl and maskSecrets', () => {
		assert.equal(maskUrl('redis://:pw@host:6379/2'), 'redis://:***@host:6379/2');
		assert.equal(maskUrl('rediss://user:pw@host:6379'), 'rediss://user:***@host:6379');
		assert.equal(maskUrl('redis://host:6379?password=pw'), 'redis://host:6379?password=***');
		assert.equal(maskUrl('redis://host:6379'), 'redis://host:6379');
		assert.equal(maskUrl('redis://:p w@bad host'), 'redis://:***@bad host');
		assert.equal(maskSecrets('failed for redis://u:p@ss@h:1 and http://a:b@c/'), 'failed for redis://u:***@h:1 and http://a:***@c/');
		assert.equal(describeError(new Error('at redis://:pw@h:1')), 'at redis://:***@h:1');
		// A line that names a cluster's seeds, each masked already, keeps every seed when it is masked again as a whole.
		for (const seeds of ['redis://:pw1@a:1,rediss://u:pw2@b:2', 'redis://a:1,redis://:pw@b:2', 'redis://a:1?password=pw,redis://b:2?password=pw']) {
			assert.equal(maskSecrets(`Cannot reach ${maskUrl(seeds)} now`), `Cannot reach ${maskUrl(seeds)} now`, seeds);
		}
		assert.equal(maskUrl('redis://a:1?password=pw,redis://b:2?password=pw'), 'redis://a:1?password=***,redis://b:2?password=***');
		// Not masked yet, a list still never shows a password (it may show only its last seed).
		assert.equal(maskSecrets('redis://:pw1@a:1,redis://:pw2@b:2'), 'redis://:***@b:2');
	});

	test('isLoopbackHost and cleartextWarning', () => {
		for (const host of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.ok(isLoopbackHost(host), host);
		for (const host of ['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'example.com', '::2']) assert.ok(!isLoopbackHost(host), host);
		assert.match(cleartextWarning('redis://10.0.0.5:6379') ?? '', /no password and no TLS/);
		assert.equal(cleartextWarning('redis://:pw@10.0.0.5:6379'), undefined);
		assert.equal(cleartextWarning('rediss://10.0.0.5:6379'), undefined);
		assert.equal(cleartextWarning('redis://127.0.0.1:6379'), undefined);
		assert.match(clusterCleartextWarning(['redis://127.0.0.1:7000', 'redis://10.0.0.5:7001']) ?? '', /Redis at redis:\/\/10\.0\.0\.5:7001 .*no password and no TLS/);
		// The first seed's password (or TLS) is every node's; a later seed's own is not used.
		assert.equal(clusterCleartextWarning(['redis://:pw@127.0.0.1:7000', 'redis://10.0.0.5:7001']), undefined);
		assert.equal(clusterCleartextWarning(['rediss://127.0.0.1:7000', 'redis://10.0.0.5:7001']), undefined);
		assert.match(clusterCleartextWarning(['redis://127.0.0.1:7000', 'redis://:pw@10.0.0.5:7001']) ?? '', /redis:\/\/:\*\*\*@10\.0\.0\.5:7001/);
		assert.equal(clusterCleartextWarning(['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001']), undefined);
	});
});
