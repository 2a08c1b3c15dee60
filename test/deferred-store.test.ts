// The deferred moves, one script each, on a real Redis: schedule → queue →
// in flight → done / retry / dead, leases, sweeps, and what the Go tool sees.
import assert from 'node:assert/strict';
import {after, before, beforeEach, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {countdown} from '../source/text/index.js';
import {readDeferredSnapshot} from '../source/deferred/inspect.js';
import {DeferredMaster} from '../source/deferred/master.js';
import {DeferredStore} from '../source/deferred/store.js';
import {DeferredWorker} from '../source/deferred/worker.js';
import {formatList} from '../source/commands/deferred.js';
import {goCompat, keys} from '../source/redis/keys.js';
import {memoryOutput} from './helpers/output.js';
import {session, startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let client: Redis;
let store: DeferredStore;

async function redisNow(): Promise<number> {
	const [s, us] = await client.time();
	return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

before(async () => {
	redis = await startTestRedis();
	client = redis.client;
	store = new DeferredStore(client);
});
after(async () => {
	await redis.stop();
});
beforeEach(async () => {
	await client.flushall();
});

describe('schedule and queue', () => {
	test('enqueue stores a scheduled record with a due time taken from Redis TIME in ms', async () => {
		const before = await redisNow();
		const {id, due} = await store.enqueue('{"order_id": 1}', 30_000);
		const after = await redisNow();
		assert.ok(due >= before + 30_000 && due <= after + 30_000, `due ${due} within Redis time + 30 s`);
		const record = await store.get(id);
		assert.equal(record?.['state'], 'scheduled');
		assert.equal(record?.['body'], '{"order_id": 1}');
		assert.equal(record?.['attempts'], '0');
		assert.equal(Number(await client.zscore(keys.deferred.scheduled, id)), due);
	});

	test('promote moves only due events, and message:queue holds the plain body a Go worker RPOPs byte for byte', async () => {
		const exact = Buffer.from('{"naïve": "☃"}\n\u0000\xff', 'latin1');
		const now = await store.enqueue(exact, 0);
		const later = await store.enqueue('later', 60_000);
		const {moved, nextDue} = await store.promote();
		assert.equal(moved, 1);
		assert.equal(nextDue, later.due);
		assert.equal((await store.get(now.id))?.['state'], 'ready');
		assert.equal((await store.get(later.id))?.['state'], 'scheduled');
		// The Go worker: RPOP message:queue.
		const popped = await client.rpopBuffer(goCompat.workQueue);
		assert.deepEqual(popped, exact);
	});

	test('a promote is one script: the event is never in two stages nor in none', async () => {
		const ids = (await store.enqueueMany(Array.from({length: 200}, (_, i) => ({body: `e${i}`, delayMs: 0})))).map((e) => e.id);
		const observer = new Redis(redis.url);
		let promoted = 0;
		const moving = (async () => {
			for (;;) {
				const {moved} = await store.promote(7);
				promoted += moved;
				if (moved === 0) break;
			}
		})();
		// Watch from another connection while the batches move.
		while (promoted < 200) {
			const [scheduled, queued] = (await observer.multi().zcard(keys.deferred.scheduled).llen(goCompat.workQueue).exec()) ?? [];
			assert.equal(Number(scheduled?.[1]) + Number(queued?.[1]), 200);
			if (Number(queued?.[1]) === 200) break;
		}
		await moving;
		observer.disconnect();
		assert.equal(await client.llen(goCompat.workQueue), ids.length);
	});

	test('same bodies keep their ids in FIFO order; a body the Go master pushed gets a record when claimed', async () => {
		const [a, b] = await store.enqueueMany([{body: 'same', delayMs: 0}, {body: 'same', delayMs: 0}]);
		await store.promote();
		await client.lpush(goCompat.workQueue, 'from go');
		const {events} = await store.claim(3, 'w', 10_000, 5);
		assert.deepEqual(events.map((e) => [e.id, e.body]), [[a?.id, 'same'], [b?.id, 'same'], [events[2]?.id, 'from go']]);
		const goRecord = await store.get(events[2]?.id ?? '');
		assert.equal(goRecord?.['state'], 'inflight');
		assert.equal(goRecord?.['source'], 'message:queue');
	});
});

describe('the Go worker drains our queue', () => {
	test('records of events a Go worker RPOPed are marked taken once message:queue is empty, never while it is not', async () => {
		const events = await store.enqueueMany([{body: 'go gets this', delayMs: 0}, {body: 'and this', delayMs: 0}, {body: 'we keep this', delayMs: 0}]);
		await store.promote();
		assert.equal(await client.rpop(goCompat.workQueue), 'go gets this');
		assert.equal(await client.rpop(goCompat.workQueue), 'and this');
		assert.deepEqual(await store.reconcile(), {cursor: '0', taken: 0}, 'nothing happens while a body waits');
		assert.equal((await store.get(events[0]?.id ?? ''))?.['state'], 'ready');
		assert.equal(await client.rpop(goCompat.workQueue), 'we keep this');
		let cursor = '0';
		let taken = 0;
		do {
			const step = await store.reconcile(cursor, 10);
			cursor = step.cursor;
			taken += step.taken;
		} while (cursor !== '0');
		assert.equal(taken, 3);
		for (const e of events) assert.equal((await store.get(e.id))?.['state'], 'taken');
		assert.deepEqual(await client.keys(`${keys.deferred.idsForBody('')}*`), []);
	});
});

describe('leases', () => {
	test('a claim writes in-flight membership and the lease together; only the lease holder completes', async () => {
		const {id} = await store.enqueue('work', 0);
		await store.promote();
		const {events, now} = await store.claim(5, 'w1', 5000, 5);
		assert.equal(events.length, 1);
		const event = events[0];
		assert.ok(event);
		assert.equal(Number(await client.zscore(keys.deferred.inflight, id)), now + 5000);
		assert.equal((await store.get(id))?.['leaseUntil'], String(now + 5000));
		assert.equal(await store.complete(id, 'not-the-token'), false);
		assert.equal(await store.complete(id, event.token), true);
		const record = await store.get(id);
		assert.equal(record?.['state'], 'done');
		assert.ok((await client.pttl(keys.deferred.event(id))) > 0, 'done records expire');
		assert.equal(await client.zcard(keys.deferred.inflight), 0);
	});

	test("a worker's one call per turn completes what it finished and claims the next, each with its own token and lease", async () => {
		for (const body of ['a', 'b', 'c', 'd']) await store.enqueue(body, 0);
		await store.promote();
		const claimer = {worker: 'w1', leaseMs: 5000, maxAttempts: 5};
		const first = await store.settle([], 2, claimer);
		assert.deepEqual(first.events.map((e) => e.body), ['a', 'b']);
		const [a, b] = first.events;
		assert.ok(a && b && a.token !== b.token, 'one token per claim');
		// a finished; b's token is wrong (its lease was lost): only a is done, and two more are taken in the same call.
		const second = await store.settle([a, {id: b.id, token: 'stale'}], 2, claimer);
		assert.deepEqual(second.completed, [true, false]);
		assert.deepEqual(second.events.map((e) => e.body), ['c', 'd']);
		assert.equal((await store.get(a.id))?.['state'], 'done');
		assert.equal((await store.get(a.id))?.['leaseUntil'], undefined, 'a done record keeps no lease');
		assert.equal((await store.get(b.id))?.['state'], 'inflight');
		assert.deepEqual((await client.zrange(keys.deferred.inflight, 0, -1)).sort(), [b.id, ...second.events.map((e) => e.id)].sort());
		const stats = await client.hgetall(keys.deferred.stats);
		assert.equal(stats['claimed'], '4');
		assert.equal(stats['done'], '1');
		const tokens = [a, b, ...second.events].map((e) => e.token);
		assert.equal(new Set(tokens).size, 4, 'tokens never repeat');
		// An empty queue: the completions still go, nothing is claimed.
		const third = await store.settle(second.events, 2, claimer);
		assert.deepEqual(third.completed, [true, true]);
		assert.equal(third.events.length, 0);
	});

	test('renew extends only a lease still held', async () => {
		await store.enqueue('work', 0);
		await store.promote();
		const {events} = await store.claim(1, 'w1', 1000, 5);
		const event = events[0];
		assert.ok(event);
		const {kept, now} = await store.renew([event, {id: event.id, token: 'stale'}], 60_000);
		assert.deepEqual(kept, [true, false]);
		assert.equal(Number(await client.zscore(keys.deferred.inflight, event.id)), now + 60_000);
	});

	test('an expired lease goes back to the head of the queue once, even with two sweepers at once', async () => {
		const [first] = await store.enqueueMany([{body: 'held', delayMs: 0}]);
		await store.promote();
		await store.claim(1, 'dead-worker', 100, 5);
		await store.enqueue('waiting', 0);
		await store.promote();
		await waitFor(async () => (await redisNow()) > Number((await store.get(first?.id ?? ''))?.['leaseUntil']), 'the lease to run out');
		const other = new DeferredStore(new Redis(redis.url));
		const results = await Promise.all([store.sweep(), other.sweep(), store.sweep(), other.sweep()]);
		other.redis.disconnect();
		assert.equal(results.reduce((n, r) => n + r.requeued, 0), 1);
		assert.equal(await client.llen(goCompat.workQueue), 2);
		// Returned at the right end: it is next, before the event that was waiting.
		const {events} = await store.claim(1, 'w2', 5000, 5);
		assert.equal(events[0]?.id, first?.id);
		assert.equal(events[0]?.attempts, 2);
		assert.match((await store.get(first?.id ?? ''))?.['lastError'] ?? '', /lease expired on attempt 1/);
	});

	test('a stopping worker hands its event back at once, ahead of the others, without counting the attempt', async () => {
		const [a] = await store.enqueueMany([{body: 'a', delayMs: 0}, {body: 'b', delayMs: 0}]);
		await store.promote();
		const {events} = await store.claim(1, 'w', 30_000, 5);
		assert.equal(events[0]?.id, a?.id);
		assert.equal(await store.release(events.map((e) => ({id: e.id, token: e.token}))), 1);
		const record = await store.get(a?.id ?? '');
		assert.equal(record?.['state'], 'ready');
		assert.equal(record?.['attempts'], '0');
		assert.equal((await store.claim(1, 'w', 30_000, 5)).events[0]?.id, a?.id);
	});
});

describe('retries and the dead-letter list', () => {
	test('failures retry after growing delays, then go to the dead list with the error, attempts and times', async () => {
		const {id} = await store.enqueue('flaky', 0);
		const delays: number[] = [];
		for (let attempt = 1; attempt <= 4; attempt++) {
			await client.zadd(keys.deferred.scheduled, 0, id); // due now, so the test does not wait
			await store.promote();
			const {events} = await store.claim(1, 'w', 5000, 4);
			const event = events[0];
			assert.ok(event);
			assert.equal(event.attempts, attempt);
			const result = await store.fail(id, event.token, `boom ${attempt}`, 4, 1000);
			if (attempt < 4) {
				assert.equal(result.outcome, 'retry');
				const failedAt = Number((await store.get(id))?.['failedAt']);
				delays.push((result as {due: number}).due - failedAt);
			} else {
				assert.equal(result.outcome, 'dead');
			}
		}
		// Equal jitter: attempt n waits between half and all of 1 s * 2^(n-1).
		assert.ok(delays[0]! >= 500 && delays[0]! <= 1000, `first delay ${delays[0]}`);
		assert.ok(delays[1]! >= 1000 && delays[1]! <= 2000, `second delay ${delays[1]}`);
		assert.ok(delays[2]! >= 2000 && delays[2]! <= 4000, `third delay ${delays[2]}`);
		assert.ok(delays[0]! <= delays[1]! && delays[1]! <= delays[2]!);
		const record = await store.get(id);
		assert.equal(record?.['state'], 'dead');
		assert.equal(record?.['lastError'], 'boom 4');
		assert.equal(record?.['attempts'], '4');
		assert.ok(Number(record?.['diedAt']) > 0);
		assert.notEqual(await client.zscore(keys.deferred.dead, id), null);
		assert.equal(await client.zcard(keys.deferred.inflight), 0);

		assert.deepEqual(await store.retry(id), {moved: 1, problem: ''});
		const back = await store.get(id);
		assert.equal(back?.['state'], 'ready');
		assert.equal(back?.['attempts'], '0');
		assert.equal(await client.zcard(keys.deferred.dead), 0);
		assert.equal((await store.claim(1, 'w', 5000, 4)).events[0]?.id, id);
		assert.deepEqual(await store.retry('999'), {moved: 0, problem: 'missing'});
		assert.equal((await store.retry(id)).problem, 'inflight');
	});

	test('retry all dead and purge dead work in bounded batches', async () => {
		const enqueued = await store.enqueueMany(Array.from({length: 25}, (_, i) => ({body: `d${i}`, delayMs: 0})));
		await store.promote();
		const {events} = await store.claim(25, 'w', 5000, 1);
		for (const e of events) await store.fail(e.id, e.token, 'no', 1, 10);
		assert.equal(await client.zcard(keys.deferred.dead), 25);
		assert.equal(await store.retryAllDead(10), 25);
		assert.equal(await client.llen(goCompat.workQueue), 25);
		const again = await store.claim(25, 'w', 5000, 1);
		for (const e of again.events) await store.fail(e.id, e.token, 'no', 1, 10);
		assert.equal(await store.purgeDead(10), 25);
		assert.equal(await client.zcard(keys.deferred.dead), 0);
		assert.equal(await client.exists(keys.deferred.event(enqueued[0]?.id ?? '')), 0);
	});
});

describe('masters', () => {
	test('two masters over 10,000 due events move each exactly once', async () => {
		const n = 10_000;
		for (let i = 0; i < n; i += 1000) {
			await store.enqueueMany(Array.from({length: 1000}, (_, j) => ({body: `event-${i + j}`, delayMs: 0})));
		}
		const sessions = [await session(redis.url), await session(redis.url)];
		const masters = sessions.map((s) => new DeferredMaster(s, memoryOutput(), {batch: 100}));
		await Promise.all(masters.map((m) => m.start()));
		await waitFor(async () => (await client.llen(goCompat.workQueue)) === n && (await client.zcard(keys.deferred.scheduled)) === 0, 'all 10,000 promoted', 60_000);
		await Promise.all(masters.map((m) => m.stop()));
		await Promise.all(sessions.map((s) => s.close()));
		const bodies = await client.lrange(goCompat.workQueue, 0, -1);
		assert.equal(new Set(bodies).size, n, 'each body once in message:queue');
		assert.equal(Number(await client.hget(keys.deferred.stats, 'promoted')), n);
		const byMaster = masters.map((m) => m.state().promoted);
		assert.equal(byMaster[0]! + byMaster[1]!, n);
		const idLists = await client.keys(`${keys.deferred.idsForBody('')}*`);
		assert.equal(idLists.length, n, 'one id list per body, each with one id');
	});

	test('with two masters, only the lock holder stores what the Go api-server publishes on `master`; the other takes over when it stops', async () => {
		const sessions = [await session(redis.url), await session(redis.url)];
		const outputs = [memoryOutput(), memoryOutput()];
		const masters = sessions.map((s, i) => new DeferredMaster(s, outputs[i]!));
		await Promise.all(masters.map((m) => m.start()));
		const leaders = () => masters.filter((m) => m.state().channelLeader);
		await waitFor(() => leaders().length === 1, 'one channel leader');
		const fromChannel = async () => {
			const records = await Promise.all((await client.keys(`${keys.deferred.event('')}*`)).map((k) => client.hgetall(k)));
			return records.filter((r) => r['source'] === 'master-channel');
		};
		for (let i = 0; i < 5; i++) await client.publish(goCompat.masterChannel, `go ${i}`);
		await waitFor(async () => (await fromChannel()).length === 5, 'five stored');
		await new Promise((r) => setTimeout(r, 300));
		assert.equal((await fromChannel()).length, 5, 'each message stored once');
		const leader = leaders()[0]!;
		const other = masters.find((m) => m !== leader)!;
		assert.equal(outputs[masters.indexOf(leader)]!.lines.filter((l) => l === 'Recieved Message').length, 5);
		await leader.stop();
		await waitFor(() => other.state().channelLeader, 'the other master to take the channel', 10_000);
		await client.publish(goCompat.masterChannel, 'after the hand-over');
		await waitFor(async () => (await fromChannel()).some((r) => r['body'] === 'after the hand-over'), 'stored by the new leader');
		await other.stop();
		await Promise.all(sessions.map((s) => s.close()));
	});

	test('a paused master moves nothing until resumed', async () => {
		const s = await session(redis.url);
		const master = new DeferredMaster(s, memoryOutput());
		await master.start();
		master.pause();
		await new Promise((r) => setTimeout(r, 300));
		await store.enqueue('wait for me', 0);
		await new Promise((r) => setTimeout(r, 600));
		assert.equal(await client.llen(goCompat.workQueue), 0);
		master.resume();
		await waitFor(async () => (await client.llen(goCompat.workQueue)) === 1, 'promoted after resume');
		await master.stop();
		await s.close();
	});
});

describe('workers', () => {
	test('a paused worker takes nothing until resumed; its state shows in-flight events with their lease', async () => {
		const s = await session(redis.url);
		const output = memoryOutput();
		const worker = new DeferredWorker(s, output, {intervalMs: 0, concurrency: 2, leaseMs: 30_000, maxAttempts: 5, backoffMs: 1000, workTimeMs: 1500});
		await worker.start();
		await waitFor(() => output.lines.includes('Listening for Events from Event Queue'), 'idle');
		worker.pause();
		const {id} = await store.enqueue('paused', 0);
		await store.promote();
		await new Promise((r) => setTimeout(r, 800));
		assert.equal(await client.llen(goCompat.workQueue), 1, 'still waiting');
		worker.resume();
		const inFlight = await waitFor(() => worker.state().inFlight[0], 'the event in flight');
		assert.equal(inFlight.id, id);
		assert.ok(inFlight.leaseUntil > (await redisNow()) + 20_000, 'lease about 30 s ahead');
		assert.ok(output.lines.includes('Processing event: paused'));
		await waitFor(() => worker.state().handled === 1, 'handled');
		assert.equal(worker.state().inFlight.length, 0);
		await worker.stop();
		await s.close();
	});
});

describe('looking at it', () => {
	test('past due shows as overdue, never as ago', () => {
		assert.equal(countdown(10_000, 13_000), 'overdue 3s');
		assert.equal(countdown(13_000, 10_000), 'in 3s');
		assert.equal(countdown(10_000, 10_000 + 125_000), 'overdue 2m5s');
	});

	test('the snapshot shows every stage with ids, attempts, due times and errors', async () => {
		await store.enqueue('later \u001b[2J', 60_000);
		const [ready] = await store.enqueueMany([{body: 'ready', delayMs: 0}]);
		const failing = await store.enqueue('failing', 0);
		await store.promote();
		await client.lpush(goCompat.workQueue, 'pushed by go');
		const {events} = await store.claim(1, 'w', 5000, 1);
		assert.equal(events[0]?.id, ready?.id);
		const second = await store.claim(1, 'w', 5000, 1);
		await store.fail(failing.id, second.events[0]?.token ?? '', 'it broke', 1, 10);
		await store.enqueue('in flight', 0);
		await store.promote();
		await store.claim(2, 'w', 5000, 5);
		const snapshot = await readDeferredSnapshot(client);
		assert.deepEqual(snapshot.counts, {scheduled: 1, ready: 0, inflight: 3, dead: 1});
		const text = formatList(snapshot).join('\n');
		assert.match(text, /Scheduled \(1\)\n {2}#\d+ +attempts 0 +due in (59s|1m) +later \\x1b\[2J/);
		assert.match(text, /Dead \(1\)\n {2}#\d+ +attempts 1 +died \d+ms ago +failing\n +last error: it broke/);
		assert.match(text, /pushed by go/);
	});
});
