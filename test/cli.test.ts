// The CLI as a user meets it: usage errors (exit 2, usage, no stack trace),
// the api-server process, and Redis discovery (private server, how-to message).
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import {after, before, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {listActors} from '../source/actors/heartbeat.js';
import {keys} from '../source/redis/keys.js';
import {freePort, portAnswers} from '../source/redis/private-server.js';
import {postEvent, request} from './helpers/http.js';
import {runCli, spawnCli, stackTrace, stopAllCli, type CliProcess} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';
import {spawnTerminal} from './helpers/terminal.js';

let redis: TestRedis;

before(async () => {
	redis = await startTestRedis();
});

after(async () => {
	await stopAllCli();
	await redis.stop();
});

const goMissingTopic = 'ERROR: You must specify the Topic to listen too. use --topic or -t flags to specify it';

async function assertUsageError(args: string[], message: string | RegExp): Promise<void> {
	const result = await runCli(args);
	assert.deepEqual([result.code, result.signal], [2, null], `exit of ${args.join(' ')}; stderr: ${result.stderr}`);
	const both = `${result.stderr}\n${result.stdout}`;
	if (typeof message === 'string') assert.ok(result.stderr.includes(message), `stderr names the problem: ${result.stderr}`);
	else assert.match(result.stderr, message);
	assert.match(both, /Usage/, 'the usage is printed');
	assert.match(both, /eda consumer --topic X/);
	assert.doesNotMatch(both, stackTrace);
}

describe('usage errors: exit 2, the usage, no stack trace', {concurrency: 4}, () => {
	test("consumer without --topic prints the Go tool's ERROR line", async () => {
		await assertUsageError(['consumer', '--redis-url', redis.url], goMissingTopic);
	});
	test('an unknown flag', async () => {
		await assertUsageError(['consumer', '--topic', 'x', '--bogus', '--redis-url', redis.url], 'Unknown flag: --bogus');
	});
	test('an unknown short flag', async () => {
		await assertUsageError(['consumer', '-t', 'x', '-z', '--redis-url', redis.url], /Unknown flag: -z/);
	});
	test('an unknown command', async () => {
		await assertUsageError(['bogus-command', '--redis-url', redis.url], 'Unknown command: bogus-command');
	});
	test('api-server --port abc', async () => {
		await assertUsageError(['api-server', '--port', 'abc', '--redis-url', redis.url], /--port.*abc/);
	});
	test('api-server --port 70000', async () => {
		await assertUsageError(['api-server', '--port', '70000', '--redis-url', redis.url], /--port/);
	});
	test('api-server --max-body lots', async () => {
		await assertUsageError(['api-server', '--max-body', 'lots', '--redis-url', redis.url], /--max-body/);
	});
	test('api-server --max-body 0 (every POST would get 413)', async () => {
		await assertUsageError(['api-server', '--max-body', '0', '--redis-url', redis.url], '--max-body: "0" is no room for any body');
	});
	test('the dashboard --max-body 0kb', async () => {
		await assertUsageError(['--max-body', '0kb', '--redis-url', redis.url], '--max-body: "0kb" is no room for any body');
	});
	// Every duration flag: a negative value used to reach the parser as flags and the error said "".
	for (const [flag, args] of [
		['--lease', ['consumer', '-d']],
		['--interval', ['consumer', '-d']],
		['--backoff', ['consumer', '-d']],
		['--work-time', ['consumer', '-d']],
		['--claim-idle', ['consumer', '-t', 'x', '--group', 'g']],
		['--projection-delay', ['lab', 'cqrs']],
		['--interval', ['lab', 'deferred']],
	] as const) {
		test(`${args.join(' ')} ${flag} -1s names the value given`, async () => {
			await assertUsageError([...args, flag, '-1s', '--redis-url', redis.url], `${flag}: "-1s" is not a duration`);
		});
	}
	test('a duration flag with no value says it needs one', async () => {
		await assertUsageError(['consumer', '-d', '--lease', '--redis-url', redis.url], '--lease needs a duration');
	});
	test('api-server --retain 0', async () => {
		await assertUsageError(['api-server', '--retain', '0', '--redis-url', redis.url], /--retain/);
	});
	test('consumer --claim-idle xyz', async () => {
		await assertUsageError(['consumer', '-t', 'x', '--group', 'g', '--claim-idle', 'xyz', '--redis-url', redis.url], /--claim-idle.*xyz/);
	});
	test('consumer --claim-idle without --group', async () => {
		await assertUsageError(['consumer', '-t', 'x', '--claim-idle', '1s', '--redis-url', redis.url], /--claim-idle/);
	});
	test('consumer --topic with characters a topic cannot hold', async () => {
		await assertUsageError(['consumer', '-t', 'a b', '--redis-url', redis.url], /--topic/);
	});
	test("consumer --group on eda's own channel (a reserved topic)", async () => {
		await assertUsageError(['consumer', '-t', 'eda:deferred:ready', '--group', 'g', '--redis-url', redis.url], /--topic "eda:deferred:ready": eda:deferred:ready is a reserved topic: names starting with eda:/);
	});
	test('consumer --group with a pattern topic', async () => {
		await assertUsageError(['consumer', '-t', 'orders.*', '--group', 'g', '--redis-url', redis.url], /--topic/);
	});
	test('consumer --from-start with a pattern', async () => {
		await assertUsageError(['consumer', '-t', 'orders.*', '--from-start', '--redis-url', redis.url], /--from-start/);
	});
	test('consumer --group with a bad name', async () => {
		await assertUsageError(['consumer', '-t', 'x', '--group', 'bad group', '--redis-url', redis.url], /--group/);
	});
	test('a --redis-url whose database is not a number (ioredis would SELECT NaN before every command)', async () => {
		await assertUsageError(['deferred', 'list', '--redis-url', `${redis.url}/abc`], /--redis-url: "abc" is not a database number/);
		await assertUsageError(['consumer', '-t', 'x', '--redis-url', `${redis.url}/?db=1e3`], /--redis-url: "1e3" is not a database number/);
	});
	test('a --redis-url that is not a redis:// URL', async () => {
		await assertUsageError(['consumer', '-t', 'x', '--redis-url', 'http://127.0.0.1:1'], /--redis-url.*redis:\/\//);
	});
});

async function apiServer(args: string[], env: Record<string, string | undefined> = {}): Promise<{proc: CliProcess; url: string}> {
	const proc = spawnCli(['api-server', ...args], {env});
	const line = await proc.waitForLine(/API server listening on |"listening"/);
	const url = /(http:\/\/[^\s"]+)/.exec(line)?.[1] ?? '';
	return {proc, url};
}

function refused(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({port, host: '127.0.0.1'});
		socket.once('connect', () => {
			socket.destroy();
			resolve(false);
		});
		socket.once('error', () => resolve(true));
	});
}

describe('eda api-server as a process', {concurrency: 4}, () => {
	test('serves on --port at 127.0.0.1, keeps a heartbeat, SIGTERM: exit 0, heartbeat and port gone', async () => {
		const port = await freePort();
		const {proc, url} = await apiServer(['--redis-url', redis.url, '--port', String(port)]);
		assert.equal(url, `http://127.0.0.1:${port}`, proc.stdout());
		assert.equal((await request(url, '/')).status, 200);
		await waitFor(async () => (await request(url, '/healthz')).status === 200, 'healthz 200');
		const reply = await postEvent(url, 'cli.topic', '{"order_id": 123}');
		assert.equal(reply.status, 200, reply.text);
		assert.equal(reply.json()['message'], 'message published');
		assert.equal(await redis.client.xlen(keys.stream('cli.topic')), 1);
		// The api-server also runs a portal watcher, with a heartbeat of its own (kind portal).
		const actor = await waitFor(async () => (await listActors(redis.client)).find((a) => a.pid === proc.pid && a.kind === 'producer'), 'the producer heartbeat');
		assert.equal(actor.kind, 'producer');
		assert.equal(actor.host, os.hostname());
		assert.ok(actor.started > 0);
		assert.equal(typeof actor.handled, 'number');
		proc.signal('SIGTERM');
		assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
		assert.doesNotMatch(proc.stderr(), stackTrace);
		assert.equal(await redis.client.exists(keys.actor(actor.name)), 0);
		assert.equal((await listActors(redis.client)).some((a) => a.pid === proc.pid), false);
		assert.ok(await refused(port), 'the port is closed');
	});

	test('PORT from the environment; --json prints one JSON object a line; SIGINT: exit 0', async () => {
		const port = await freePort();
		const {proc, url} = await apiServer(['--redis-url', redis.url, '--json'], {PORT: String(port)});
		assert.equal(url, `http://127.0.0.1:${port}`, proc.stdout());
		const record = JSON.parse(proc.lines()[0] ?? '') as Record<string, unknown>;
		assert.equal(record['event'], 'listening');
		assert.equal(record['url'], url);
		proc.signal('SIGINT');
		assert.deepEqual(await proc.exited, {code: 0, signal: null});
		for (const line of proc.lines()) JSON.parse(line);
	});

	test('SIGTERM the moment the ready line is out: still a clean exit 0 (handlers are set before it)', async () => {
		const procs = [
			spawnCli(['consumer', '-t', 'race.a', '--redis-url', redis.url]),
			spawnCli(['consumer', '-t', 'race.b', '--group', 'rg', '--redis-url', redis.url]),
			spawnCli(['api-server', '--redis-url', redis.url, '--port', String(await freePort())]),
		];
		const exits = await Promise.all(procs.map(async (proc) => {
			await proc.waitForLine(/Consumer subscribed|API server listening/);
			proc.signal('SIGTERM');
			return proc.exited;
		}));
		assert.deepEqual(exits, procs.map(() => ({code: 0, signal: null})));
	});

	test('a port in use: exit 1 with one line, no stack trace', async () => {
		const server = net.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const address = server.address();
		const port = typeof address === 'object' && address ? address.port : 0;
		try {
			const result = await runCli(['api-server', '--redis-url', redis.url, '--port', String(port)]);
			assert.equal(result.code, 1, result.stderr);
			assert.match(result.stderr, /in use/);
			assert.doesNotMatch(result.stderr + result.stdout, stackTrace);
		} finally {
			server.close();
		}
	});

	test('REDIS_URL from the environment is used; --redis-url wins over it', async () => {
		const deadPort = await freePort();
		const fromEnv = spawnCli(['consumer', '-t', 'cli.env'], {env: {REDIS_URL: redis.url}});
		const fromFlag = spawnCli(['consumer', '-t', 'cli.flag', '--redis-url', redis.url], {env: {REDIS_URL: `redis://127.0.0.1:${deadPort}`}});
		await Promise.all([fromEnv.waitForLine('Consumer subscribed'), fromFlag.waitForLine('Consumer subscribed')]);
		const counts = (await redis.client.pubsub('NUMSUB', 'cli.env', 'cli.flag')) as Array<string | number>;
		assert.deepEqual(counts.map(String), ['cli.env', '1', 'cli.flag', '1']);
		fromEnv.signal('SIGTERM');
		fromFlag.signal('SIGTERM');
		assert.deepEqual(await fromEnv.exited, {code: 0, signal: null});
		assert.deepEqual(await fromFlag.exited, {code: 0, signal: null});
	});
});

describe('no Redis at the default URL', {concurrency: 3}, () => {
	test('redis-server on the PATH: one line about a private redis-server, which serves and stops with eda', async () => {
		const defaultPort = await freePort();
		const port = await freePort();
		const {proc, url} = await apiServer(['--port', String(port)], {EDA_DEFAULT_REDIS_URL: `redis://127.0.0.1:${defaultPort}`});
		// stderr is its own pipe: the stdout line that said "listening" may have come first.
		await proc.waitForLine(/private redis-server/, 'the private-server line', 20_000, 'stderr');
		const said = proc.stderr().split('\n').filter((line) => line !== '');
		assert.equal(said.length, 1, `one line: ${proc.stderr()}`);
		const match = /private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(said[0] ?? '');
		assert.ok(match, said[0]);
		const privatePort = Number(match[1]);
		assert.equal(privatePort, defaultPort, 'it takes the default URL’s port when that is free');
		const reply = await waitFor(async () => {
			const r = await postEvent(url, 'private.t', '{"a":1}');
			return r.status === 200 ? r : undefined;
		}, 'a 200 from the api-server on the private Redis');
		assert.equal(reply.json()['message'], 'message published');
		const direct = new Redis(privatePort, '127.0.0.1');
		try {
			assert.equal(await direct.xlen(keys.stream('private.t')), 1);
			assert.deepEqual(await direct.config('GET', 'bind'), ['bind', '127.0.0.1']);
			assert.deepEqual(await direct.config('GET', 'save'), ['save', '']);
			assert.deepEqual(await direct.config('GET', 'appendonly'), ['appendonly', 'no']);
		} finally {
			direct.disconnect();
		}
		proc.signal('SIGTERM');
		assert.deepEqual(await proc.exited, {code: 0, signal: null}, proc.stderr());
		// Its stop waits at most 3 s for redis-server, then SIGKILLs it without waiting.
		await waitFor(async () => !(await portAnswers(privatePort)), 'the private redis-server stopped with eda');
	});

	test('the private redis-server dies with eda even when eda ends abruptly (EPIPE: its reader went away)', async () => {
		const defaultPort = await freePort();
		const proc = spawnCli(['consumer', '-t', 'epipe.t'], {env: {EDA_DEFAULT_REDIS_URL: `redis://127.0.0.1:${defaultPort}`}});
		await proc.waitForLine('Consumer subscribed to `epipe.t` Topic');
		const match = /private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(proc.stderr());
		assert.ok(match, proc.stderr());
		const privatePort = Number(match[1]);
		const publisher = new Redis(privatePort, '127.0.0.1', {maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null});
		publisher.on('error', () => {});
		try {
			// The reader goes away; the next event eda prints meets a closed pipe.
			proc.child.stdout?.destroy();
			const exit = await waitFor(async () => {
				const ended = proc.exitedYet();
				if (!ended) await publisher.publish('epipe.t', '{"write":"me"}').catch(() => undefined);
				return ended;
			}, 'eda to end on EPIPE', 20_000);
			assert.deepEqual(exit, {code: 0, signal: null}, proc.stderr());
			assert.doesNotMatch(proc.stderr(), stackTrace);
			await waitFor(async () => !(await portAnswers(privatePort)), `the private redis-server on port ${privatePort} to go with eda`);
		} finally {
			// Never leave an orphan behind, even when the assertion failed.
			if (await portAnswers(privatePort)) await publisher.shutdown('NOSAVE').catch(() => undefined);
			publisher.disconnect();
		}
	});

	test('no redis-server on the PATH: exit 1 with how to get Redis, no stack trace', async () => {
		const defaultPort = await freePort();
		const result = await runCli(['api-server', '--port', String(await freePort())], {env: {EDA_DEFAULT_REDIS_URL: `redis://127.0.0.1:${defaultPort}`, PATH: '/nonexistent-eda-test-dir'}});
		assert.deepEqual([result.code, result.signal], [1, null], result.stderr);
		assert.match(result.stderr, /Cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
		assert.match(result.stderr, /docker run -d -p 6379:6379 redis/);
		assert.match(result.stderr, /package manager/);
		assert.match(result.stderr, /--redis-url/);
		assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
		assert.doesNotMatch(result.stderr + result.stdout, stackTrace);
		assert.doesNotMatch(result.stdout, /listening/);
		assert.equal(await portAnswers(defaultPort), false);
	});

	test('an explicit --redis-url that does not answer: exit 1 with the message, no private server', async () => {
		const deadPort = await freePort();
		const result = await runCli(['consumer', '-t', 'x', '--redis-url', `redis://127.0.0.1:${deadPort}`]);
		assert.deepEqual([result.code, result.signal], [1, null], result.stderr);
		assert.match(result.stderr, new RegExp(`Cannot reach Redis at redis://127\\.0\\.0\\.1:${deadPort}`));
		assert.doesNotMatch(result.stderr, /private/);
		assert.doesNotMatch(result.stderr + result.stdout, stackTrace);
		assert.doesNotMatch(result.stdout, /subscribed/);
	});
});

describe('a database number in --redis-url that Redis does not have', () => {
	// Before: ioredis's failed SELECT was only an 'error' event, and every
	// command went to database 0. Now every command stops at start.
	const commands: [string, string[]][] = [
		['api-server', ['api-server', '--port', '0']],
		['consumer', ['consumer', '-t', 'x']],
		['consumer --group', ['consumer', '-t', 'x', '--group', 'g']],
		['consumer -d', ['consumer', '-d']],
		['consumer -d -m', ['consumer', '-d', '-m']],
		['deferred list', ['deferred', 'list']],
		['deferred retry', ['deferred', 'retry', '1']],
		['deferred purge', ['deferred', 'purge', '--dead']],
		['lab orders', ['lab', 'orders', '--port', '0']],
		['the dashboard (no terminal: plain)', ['--port', '0']],
	];

	test('every command: exit 1 with one line naming the database, nothing written to database 0', async () => {
		const keysBefore = (await redis.client.keys('*')).sort();
		const dbs = ['16', '999', '-1'];
		const runs = commands.map(([label, args], i) => ({label, db: dbs[i % dbs.length] ?? '16', args}));
		for (let i = 0; i < runs.length; i += 4) {
			await Promise.all(runs.slice(i, i + 4).map(async ({label, db, args}) => {
				const result = await runCli([...args, '--redis-url', `${redis.url}/${db}`]);
				assert.deepEqual([result.code, result.signal], [1, null], `${label} /${db}: ${result.stderr}`);
				const lines = result.stderr.trim().split('\n');
				assert.equal(lines.length, 1, `${label}: one line, got ${result.stderr}`);
				assert.match(lines[0] ?? '', new RegExp(`^eda: Redis at redis://127\\.0\\.0\\.1:\\d+/${db} has no database ${db} \\(ERR DB index is out of range\\); it has databases 0 to 15`), label);
				assert.equal(result.stdout, '', `${label} printed nothing on stdout`);
			}));
		}
		assert.deepEqual((await redis.client.keys('*')).sort(), keysBefore, 'nothing was written to database 0');
	});

	test('the dashboard on a terminal: the screen closes, one line naming the database, exit 1', async () => {
		const term = spawnTerminal(['--redis-url', `${redis.url}/16`, '--port', '0'], {columns: 100, rows: 24});
		const screen = await term.waitForScreen((s) => s.includes('has no database 16'), 'the line after the screen closed');
		assert.equal(await term.exited, 1);
		assert.match(screen, /eda: Redis at redis:\/\/127\.0\.0\.1:\d+\/16 has no database 16/);
		assert.doesNotMatch(screen, stackTrace);
	});

	test('?db= in the query is checked too; a database Redis has still works', async () => {
		const missing = await runCli(['deferred', 'list', '--redis-url', `${redis.url}/?db=20`]);
		assert.deepEqual([missing.code, missing.signal], [1, null], missing.stderr);
		assert.match(missing.stderr, /has no database 20/);
		const fine = await runCli(['deferred', 'list', '--redis-url', `${redis.url}/15`]);
		assert.deepEqual([fine.code, fine.signal], [0, null], fine.stderr);
		assert.match(fine.stdout, /^Scheduled \(0\)/);
	});
});
