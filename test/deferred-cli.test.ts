// A throwing handler in a real worker process → retries with growing delays →
// dead-letter with the error; `eda deferred` lists it and brings it back.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {DeferredStore} from '../source/deferred/store.js';
import {keys} from '../source/redis/keys.js';
import {spawnCli, type CliProcess} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let store: DeferredStore;
const running: CliProcess[] = [];

function eda(args: string[]): CliProcess {
	const child = spawnCli([...args, '--redis-url', redis.url]);
	running.push(child);
	return child;
}

async function edaOnce(args: string[]): Promise<{code: number | null; out: string; err: string}> {
	const child = eda(args);
	const {code} = await child.exited;
	return {code, out: child.stdout(), err: child.stderr()};
}

before(async () => {
	redis = await startTestRedis();
	store = new DeferredStore(redis.client);
});

after(async () => {
	await Promise.all(running.map((p) => p.kill('SIGKILL')));
	await redis.stop();
});

test('a throwing handler retries with growing delays, then the event is dead with its error; retry brings it back', async () => {
	const master = eda(['consumer', '-d', '-m']);
	const worker = eda(['consumer', '-d', '--interval', '0', '--fail-rate', '1', '--max-attempts', '4', '--backoff', '200ms', '--json']);
	await master.waitForLine((l) => l === 'Master Node running', 'the master', 60_000);
	await worker.waitForLine((l) => l.includes('"event":"idle"'), 'the worker', 60_000);
	const {id} = await store.enqueue('{"doomed":true}', 0);
	await waitFor(async () => (await store.get(id))?.['state'] === 'dead', 'the event to die', 60_000);
	// The worker prints its dead record after the script that moved the event, and last: once it is
	// read, every line before it is too (a pipe's output can trail what Redis already says).
	await worker.waitForLine((l) => l.includes('"event":"dead"'), "the worker's dead record", 60_000);

	const tries = worker.records().filter((r) => r['id'] === id && r['event'] === 'processing');
	assert.deepEqual(tries.map((r) => r['attempts']), [1, 2, 3, 4]);
	// Retry n is scheduled between half and all of 200 ms * 2^(n-1) after its
	// failure (equal jitter): both times come from the one fail script, so this
	// checks the schedule, not how fast this machine is.
	const failures = worker.records().filter((r) => r['id'] === id && r['event'] === 'failed');
	assert.equal(failures.length, 3);
	const delays = failures.map((f) => Number(f['retryAt']) - Number(f['failedAt']));
	delays.forEach((delay, i) => {
		const cap = 200 * 2 ** i;
		assert.ok(delay >= cap / 2 && delay <= cap, `retry ${i + 1} scheduled ${delay} ms after the failure, expected ${cap / 2}..${cap} ms`);
	});
	assert.ok(delays[0]! < delays[1]! && delays[1]! < delays[2]!, `growing delays: ${delays.join(', ')} ms`);
	// And no retry was taken before it was due.
	tries.slice(1).forEach((t, i) => {
		assert.ok(Number(t['claimedAt']) >= Number(failures[i]?.['retryAt']), `attempt ${i + 2} claimed before its due time`);
	});
	const record = await store.get(id);
	assert.match(record?.['lastError'] ?? '', /demo handler failed on purpose/);
	assert.equal(record?.['attempts'], '4');

	const listed = await edaOnce(['deferred', 'list']);
	assert.equal(listed.code, 0);
	assert.match(listed.out, new RegExp(`Dead \\(1\\)\\n  #${id} +attempts 4 +died .+ago +\\{"doomed":true\\}\\n +last error: demo handler failed on purpose`));
	const json = await edaOnce(['deferred', 'list', '--json']);
	const snapshot = JSON.parse(json.out) as {counts: {dead: number}; dead: {id: string; lastError: string}[]};
	assert.equal(snapshot.counts.dead, 1);
	assert.equal(snapshot.dead[0]?.id, id);

	// Stop the failing worker; a healthy one finishes the retried event.
	await worker.kill('SIGTERM');
	const retried = await edaOnce(['deferred', 'retry', id]);
	assert.equal(retried.code, 0, retried.err);
	assert.match(retried.out, new RegExp(`Moved event ${id} back to message:queue`));
	assert.equal((await store.get(id))?.['attempts'], '0');
	const healthy = eda(['consumer', '-d', '--interval', '0', '--json']);
	await waitFor(async () => (await store.get(id))?.['state'] === 'done', 'the retried event to be done', 60_000);
	const taken = await healthy.waitForLine((l) => l.includes('"event":"processing"'), "the healthy worker's record", 60_000);
	assert.equal((JSON.parse(taken) as Record<string, unknown>)['attempts'], 1);
});

test('retry --dead and purge --dead act on the whole dead list', async () => {
	// Its own dead list, whatever the test before left there.
	await redis.client.del(keys.deferred.dead);
	const events = await store.enqueueMany([{body: 'a', delayMs: 0}, {body: 'b', delayMs: 0}]);
	for (const e of events) {
		await redis.client.zrem(keys.deferred.scheduled, e.id);
		await redis.client.hset(keys.deferred.event(e.id), 'state', 'dead', 'lastError', 'x', 'diedAt', 1);
		await redis.client.zadd(keys.deferred.dead, 1, e.id);
	}
	const retried = await edaOnce(['deferred', 'retry', '--dead', '--json']);
	assert.deepEqual(JSON.parse(retried.out), {retried: 2});
	for (const e of events) await redis.client.zadd(keys.deferred.dead, 1, e.id);
	for (const e of events) await redis.client.hset(keys.deferred.event(e.id), 'state', 'dead');
	const purged = await edaOnce(['deferred', 'purge', '--dead']);
	assert.match(purged.out, /Deleted 2 dead event\(s\)/);
	assert.equal(await redis.client.zcard(keys.deferred.dead), 0);
});

test('missing or bad arguments are usage errors (exit 2); an unknown id is an error (exit 1)', async () => {
	for (const args of [['deferred'], ['deferred', 'retry'], ['deferred', 'retry', 'abc'], ['deferred', 'purge'], ['deferred', 'frobnicate'], ['consumer', '-d', '--concurrency', 'lots']]) {
		const {code, err} = await edaOnce(args);
		assert.equal(code, 2, `${args.join(' ')}: ${err}`);
		assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
	}
	const missing = await edaOnce(['deferred', 'retry', '987654']);
	assert.equal(missing.code, 1);
	assert.match(missing.err, /Cannot retry event 987654: there is no such event/);
});
