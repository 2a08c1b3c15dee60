// Reaching Redis: URL rules, passwords, rediss:// (TLS), the eviction warning
// and the private-server fallback, in-process and through the CLI.
import assert from 'node:assert/strict';
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {UserError} from '../source/errors.js';
import {displayUrl, reconnectDelay} from '../source/redis/connect.js';
import {keys} from '../source/redis/keys.js';
import {freePort, portAnswers} from '../source/redis/private-server.js';
import {openRedisSession, recentEnough, resolveRedisUrl, validateRedisUrl} from '../source/redis/session.js';
import {runCli, spawnCli, stackTrace, stopAllCli} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

// A password with characters that must be percent-encoded in a URL.
const password = 'p@ss:w#rd';
const encoded = encodeURIComponent(password);

let redis: TestRedis;
let dir: string;
let authed: {port: number; process: ChildProcess};
let tls: {port: number; process: ChildProcess};
let cert: string;

async function redisServer(args: string[], port: number): Promise<{port: number; process: ChildProcess}> {
	const child = spawn('redis-server', ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning', ...args], {stdio: 'ignore'});
	await waitFor(() => portAnswers(port), `redis-server ${args.join(' ')}`);
	return {port, process: child};
}

before(async () => {
	redis = await startTestRedis();
	dir = mkdtempSync(path.join(os.tmpdir(), 'eda-test-redis-auth-'));
	const authPort = await freePort();
	authed = await redisServer(['--port', String(authPort), '--requirepass', password], authPort);
	cert = path.join(dir, 'cert.pem');
	const key = path.join(dir, 'key.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'});
	const tlsPort = await freePort();
	tls = await redisServer(['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-auth-clients', 'no', '--requirepass', password], tlsPort);
});

after(async () => {
	await stopAllCli();
	for (const server of [authed, tls]) {
		if (!server) continue;
		const gone = new Promise((resolve) => server.process.once('exit', resolve));
		server.process.kill('SIGKILL');
		await gone;
	}
	await redis.stop();
	rmSync(dir, {recursive: true, force: true});
});

/** Runs `body` with some environment variables set (undefined removes), then puts them back. */
async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T> | T): Promise<T> {
	const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
	const apply = (values: Record<string, string | undefined>) => {
		for (const [name, value] of Object.entries(values)) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	};
	apply(vars);
	try {
		return await body();
	} finally {
		apply(saved);
	}
}

describe('URLs', () => {
	test('--redis-url beats REDIS_URL, which beats the default redis://127.0.0.1:6379', async () => {
		await withEnv({REDIS_URL: 'redis://env:1', EDA_DEFAULT_REDIS_URL: undefined}, () => {
			assert.deepEqual(resolveRedisUrl('redis://flag:2'), {url: 'redis://flag:2', explicit: true});
			assert.deepEqual(resolveRedisUrl(undefined), {url: 'redis://env:1', explicit: true});
		});
		await withEnv({REDIS_URL: undefined, EDA_DEFAULT_REDIS_URL: undefined}, () => {
			assert.deepEqual(resolveRedisUrl(undefined), {url: 'redis://127.0.0.1:6379', explicit: false});
		});
		await withEnv({REDIS_URL: '', EDA_DEFAULT_REDIS_URL: 'redis://127.0.0.1:9'}, () => {
			assert.deepEqual(resolveRedisUrl(undefined), {url: 'redis://127.0.0.1:9', explicit: false});
		});
	});

	test('redis:// and rediss:// URLs, with passwords and a db, are valid; others are a usage error', () => {
		for (const url of ['redis://127.0.0.1:6379', 'rediss://cache.example.com:6380', `redis://:${encoded}@127.0.0.1:1/2`, `rediss://user:${encoded}@h:1/0`]) {
			assert.doesNotThrow(() => validateRedisUrl(url), url);
		}
		for (const url of ['http://127.0.0.1:6379', 'localhost:6379', 'not a url', '']) {
			assert.throws(() => validateRedisUrl(url), (error: unknown) => error instanceof UserError && error.exitCode === 2, url);
		}
	});

	test('a password is never shown', () => {
		assert.equal(displayUrl(`redis://:${encoded}@127.0.0.1:6379`), 'redis://:***@127.0.0.1:6379');
		assert.equal(displayUrl(`rediss://admin:${encoded}@h:1/3`), 'rediss://admin:***@h:1/3');
		assert.equal(displayUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
	});

	test('reconnects back off from 100 ms up to 2 s, forever', () => {
		assert.equal(reconnectDelay(1), 100);
		assert.equal(reconnectDelay(5), 500);
		assert.equal(reconnectDelay(1000), 2000);
	});
});

describe('passwords', () => {
	test('a password in the URL works (percent-encoded)', async () => {
		const session = await openRedisSession({url: `redis://:${encoded}@127.0.0.1:${authed.port}`, say: () => {}});
		try {
			assert.equal(session.display, `redis://:***@127.0.0.1:${authed.port}`);
			const client = session.connect('test');
			assert.equal(await client.ping(), 'PONG');
		} finally {
			await session.close();
		}
	});

	test('a wrong or missing password: exit-1 error that says so and does not show the password', async () => {
		for (const url of [`redis://:wrong-secret@127.0.0.1:${authed.port}`, `redis://127.0.0.1:${authed.port}`]) {
			await assert.rejects(openRedisSession({url, say: () => {}}), (error: unknown) => {
				assert.ok(error instanceof UserError, String(error));
				assert.equal(error.exitCode, 1);
				assert.match(error.message, /refused the credentials \((WRONGPASS|NOAUTH)/);
				assert.doesNotMatch(error.message, /wrong-secret/);
				return true;
			});
		}
	});

	test('CLI: a consumer with a password URL receives events; a wrong password exits 1 without showing it', async () => {
		const good = spawnCli(['consumer', '-t', 'auth.t', '--redis-url', `redis://:${encoded}@127.0.0.1:${authed.port}`]);
		const bad = runCli(['consumer', '-t', 'auth.t', '--redis-url', `redis://:wrong-secret@127.0.0.1:${authed.port}`]);
		await good.waitForLine('Consumer subscribed to `auth.t` Topic');
		const publisher = new Redis({port: authed.port, host: '127.0.0.1', password});
		try {
			await publisher.publish('auth.t', '{"authed":true}');
		} finally {
			publisher.disconnect();
		}
		await good.waitForLine('Event data: {"authed":true}');
		good.signal('SIGTERM');
		assert.deepEqual(await good.exited, {code: 0, signal: null});
		const result = await bad;
		assert.equal(result.code, 1, result.stderr);
		assert.doesNotMatch(result.stderr + result.stdout, /wrong-secret/);
		assert.match(result.stderr, /refused the credentials/);
		assert.match(result.stderr, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
		assert.doesNotMatch(result.stderr + result.stdout, stackTrace);
	});
});

test('rediss:// (TLS) with a password: an api-server and a consumer talk through it', async () => {
	const url = `rediss://:${encoded}@127.0.0.1:${tls.port}`;
	const env = {NODE_EXTRA_CA_CERTS: cert};
	const port = await freePort();
	const consumer = spawnCli(['consumer', '-t', 'tls.t', '--redis-url', url], {env});
	const producer = spawnCli(['api-server', '--redis-url', url, '--port', String(port)], {env});
	await Promise.all([consumer.waitForLine('Consumer subscribed to `tls.t` Topic'), producer.waitForLine('API server listening')]);
	const {postEvent} = await import('./helpers/http.js');
	const reply = await waitFor(async () => {
		const r = await postEvent(`http://127.0.0.1:${port}`, 'tls.t', '{"over":"tls"}');
		return r.status === 200 ? r : undefined;
	}, 'a 200 from the api-server over TLS');
	assert.equal(reply.json()['message'], 'message published');
	await consumer.waitForLine('Event data: {"over":"tls"}');
	const direct = new Redis({port: tls.port, host: '127.0.0.1', password, tls: {ca: readFileSync(cert)}});
	try {
		assert.equal(await direct.xlen(keys.stream('tls.t')), 1);
	} finally {
		direct.disconnect();
	}
	consumer.signal('SIGTERM');
	producer.signal('SIGTERM');
	assert.deepEqual(await consumer.exited, {code: 0, signal: null});
	assert.deepEqual(await producer.exited, {code: 0, signal: null});
});

describe('maxmemory-policy', () => {
	test('a warning, once, when it is not noeviction (in-process and CLI); none when it is', async () => {
		await redis.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
		try {
			const said: string[] = [];
			const session = await openRedisSession({url: redis.url, say: (line) => said.push(line)});
			await session.close();
			assert.equal(said.length, 1, said.join('\n'));
			assert.match(said[0] ?? '', /maxmemory-policy is "allkeys-lru".*noeviction/);

			const proc = spawnCli(['consumer', '-t', 'warn.t', '--redis-url', redis.url]);
			await proc.waitForLine('Consumer subscribed');
			const warnings = proc.stderr().split('\n').filter((line) => line.includes('maxmemory-policy'));
			assert.equal(warnings.length, 1, proc.stderr());
			assert.match(warnings[0] ?? '', /allkeys-lru/);
			proc.signal('SIGTERM');
			assert.deepEqual(await proc.exited, {code: 0, signal: null});
		} finally {
			await redis.client.config('SET', 'maxmemory-policy', 'noeviction');
		}
		const said: string[] = [];
		const session = await openRedisSession({url: redis.url, say: (line) => said.push(line)});
		await session.close();
		assert.deepEqual(said, []);
	});
});

test('in-process fallback: nothing at the default URL → a private redis-server, said once, stopped on close', async () => {
	const defaultPort = await freePort();
	await withEnv({REDIS_URL: undefined, EDA_DEFAULT_REDIS_URL: `redis://127.0.0.1:${defaultPort}`}, async () => {
		const said: string[] = [];
		const session = await openRedisSession({url: undefined, say: (line) => said.push(line)});
		try {
			assert.ok(session.privateServer, 'a private server was started');
			assert.equal(said.length, 1, said.join('\n'));
			assert.match(said[0] ?? '', /private redis-server/);
			assert.ok(said[0]?.includes(session.url), said[0]);
			assert.equal(await session.connect('test').ping(), 'PONG');
		} finally {
			await session.close();
		}
		const privatePort = session.privateServer.port;
		await waitFor(async () => !(await portAnswers(privatePort)), 'the private redis-server stopped with the session');
	});
});

test('Redis older than 6.2 is refused at start (XAUTOCLAIM and XADD NOMKSTREAM are 6.2)', () => {
	for (const version of ['6.2.0', '6.2.14', '7.0.15', '7.4.1', '8.0.0', '10.1.0']) assert.equal(recentEnough(version), true, version);
	for (const version of ['6.0.20', '5.0.14', '6.1.9', '4.0.0']) assert.equal(recentEnough(version), false, version);
});

test('a Redis that refuses this machine (its protected mode, no password) is named as such, not as unreachable', async (t) => {
	// Redis's protected mode answers clients from other addresses with DENIED;
	// eda said "Cannot reach Redis" and told the user to install one.
	const outside = Object.values(os.networkInterfaces()).flat().find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
	if (!outside) {
		t.skip('no non-loopback IPv4 address on this machine');
		return;
	}
	const port = await freePort();
	const server = await redisServer(['--port', String(port), '--bind', '0.0.0.0', '--protected-mode', 'yes'], port);
	try {
		const result = await runCli(['deferred', 'list', '--redis-url', `redis://${outside}:${port}`]);
		assert.equal(result.code, 1, result.stderr);
		assert.doesNotMatch(result.stderr, /Cannot reach Redis|install it/, result.stderr);
		assert.match(result.stderr, /protected mode/);
		assert.equal(result.stderr.trim().split('\n').filter((line) => line.startsWith('eda:')).length, 1, result.stderr);
	} finally {
		const gone = new Promise((resolve) => server.process.once('exit', resolve));
		server.process.kill('SIGKILL');
		await gone;
	}
});
