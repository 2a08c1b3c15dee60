// A Redis that hangs and a Redis that is gone: the producer answers 503 (and
// does not hold the request) while Redis is stopped, 200 once it runs again;
// every long-running command stops with exit 0 on SIGTERM or SIGINT while
// Redis is down. (redis-restart.test.ts: a crash and the way back.)
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import type {RunningProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {postEvent, request, type Reply} from './helpers/http.js';
import {spawnCli, stackTrace, stopAllCli, type CliProcess, type Exit} from './helpers/process.js';
import {startProducerFixture, type ProducerFixture} from './helpers/producer.js';
import {waitFor, within, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let fixture: ProducerFixture;
let producer: RunningProducer;

before(async () => {
	fixture = await startProducerFixture();
	({redis, producer} = fixture);
});

after(async () => {
	await stopAllCli();
	await fixture.stop();
});

test('a hung Redis (SIGSTOP): POST, /healthz and GET /topics answer 503 instead of hanging (the read without a word on storing); 200 again after SIGCONT', async () => {
	assert.equal((await postEvent(producer.url, 'hang.t', '{"before":true}')).status, 200);
	redis.pause();
	let post: Reply;
	let health: Reply;
	let topics: Reply;
	try {
		[post, health, topics] = await within(Promise.all([postEvent(producer.url, 'hang.t', '{"hung":true}'), request(producer.url, '/healthz'), request(producer.url, '/topics')]), 20_000, 'the answers while Redis is stopped');
	} finally {
		redis.resume();
	}
	assert.equal(post.status, 503, post.text);
	assert.match(String(post.json()['error']), /did not answer in time/);
	assert.equal(health.status, 503, health.text);
	assert.equal(health.json()['redis'], 'down');
	// A read stores nothing: its 503 says nothing about events being stored.
	assert.equal(topics.status, 503, topics.text);
	assert.match(String(topics.json()['error']), /^Redis did not answer in time; try again/);
	assert.doesNotMatch(String(topics.json()['error']), /stored/);
	await waitFor(async () => (await request(producer.url, '/healthz')).status === 200, '/healthz 200 after SIGCONT');
	const reply = await postEvent(producer.url, 'hang.t', '{"after":true}');
	assert.equal(reply.status, 200, reply.text);
	const stored = (await redis.client.xrange(keys.stream('hang.t'), '-', '+')).map(([, fields]) => fields[fields.indexOf('data') + 1]);
	assert.equal(stored[0], '{"before":true}');
	assert.equal(stored.at(-1), '{"after":true}');
});

test('SIGTERM (or SIGINT) while Redis is down: every long-running command exits 0 without a stack trace', async () => {
	const url = redis.url;
	const cases: Array<{args: string[]; ready: string | RegExp; signal: NodeJS.Signals}> = [
		{args: ['api-server', '--port', '0'], ready: 'API server listening on ', signal: 'SIGTERM'},
		{args: ['consumer', '-t', 'a'], ready: 'Consumer subscribed to `a` Topic', signal: 'SIGTERM'},
		{args: ['consumer', '-t', 'a', '--group', 'g'], ready: 'Reading the durable stream in group g', signal: 'SIGTERM'},
		{args: ['consumer', '-t', 'a', '--group', 'g'], ready: 'Reading the durable stream in group g', signal: 'SIGINT'},
		{args: ['consumer', '-t', 'a', '--from-start'], ready: 'Replaying the retained history first', signal: 'SIGTERM'},
		{args: ['consumer', '-d', '-m'], ready: 'Master Node running', signal: 'SIGTERM'},
		{args: ['consumer', '-d', '--interval', '1s'], ready: 'This consumer demonstrates Deffered Execution and Eventual Consistency', signal: 'SIGTERM'},
	];
	const procs: CliProcess[] = cases.map((c) => spawnCli([...c.args, '--redis-url', url]));
	const readyLines = await Promise.all(procs.map((proc, i) => proc.waitForLine(cases[i]?.ready ?? '', `${cases[i]?.args.join(' ')} ready`, 30_000)));
	const apiUrl = /(http:\/\/\S+)/.exec(readyLines[0] ?? '')?.[1] ?? '';
	assert.match(apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);

	await redis.kill();
	// Each has noticed the outage before the signal comes.
	await waitFor(async () => (await request(apiUrl, '/healthz')).status === 503, 'the api-server to answer 503');
	await Promise.all(procs.slice(1).map((proc, i) => proc.waitForLine(/^Redis connection lost/, `${cases[i + 1]?.args.join(' ')} to say the connection is lost`)));

	const exits = await Promise.all(procs.map(async (proc, i) => {
		const what = `eda ${cases[i]?.args.join(' ')} after ${cases[i]?.signal}`;
		proc.signal(cases[i]?.signal ?? 'SIGTERM');
		const exit = await within<Exit>(proc.exited, 20_000, `${what} to exit`);
		assert.doesNotMatch(proc.stderr() + proc.stdout(), stackTrace, what);
		return {what, exit};
	}));
	assert.deepEqual(exits, exits.map(({what}) => ({what, exit: {code: 0, signal: null}})));
});
