// Real `eda consumer -d` processes on a real Redis: nothing lost when the
// master starts late, a worker SIGKILLed mid-handler, a clean stop, and the
// Go tool's side of the wire (LPUSH message:queue, PUBLISH master).
import assert from 'node:assert/strict';
import type {Server} from 'node:http';
import {after, before, describe, test} from 'node:test';
import {createProducerApp} from '../source/producer/app.js';
import {DeferredStore} from '../source/deferred/store.js';
import {createRedis, waitReady} from '../source/redis/connect.js';
import {goCompat} from '../source/redis/keys.js';
import {spawnCli, type CliProcess} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let store: DeferredStore;
let server: Server;
let api: string;
const running: CliProcess[] = [];

function eda(args: string[]): CliProcess {
	const child = spawnCli([...args, '--redis-url', redis.url]);
	running.push(child);
	return child;
}

const processing = (p: CliProcess) => p.records().filter((r) => r['event'] === 'processing');

before(async () => {
	redis = await startTestRedis();
	store = new DeferredStore(redis.client);
	const producerRedis = createRedis(redis.url, {offlineQueue: false});
	await waitReady(producerRedis, 5000);
	const app = createProducerApp({redis: producerRedis, maxBody: 1024 * 1024, retain: 1000});
	server = await new Promise((resolve) => {
		const s = app.listen(0, '127.0.0.1', () => resolve(s));
	});
	const address = server.address();
	api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
	server.on('close', () => producerRedis.disconnect());
});

after(async () => {
	await Promise.all(running.map((p) => p.kill('SIGKILL')));
	server.closeAllConnections();
	await new Promise((r) => server.close(r));
	await redis.stop();
});

describe('deferred execution with real processes', () => {
	let master: CliProcess;
	let worker: CliProcess;

	test('events posted while no master runs are all processed, once, when a master and a worker start', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 20; i++) {
			const res = await fetch(`${api}/deferred-exec?delay=${i * 20}ms`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({order_id: i})});
			assert.equal(res.status, 200);
			const answer = (await res.json()) as {message: string; id: string};
			assert.equal(answer.message, 'message published');
			ids.push(answer.id);
		}
		master = eda(['consumer', '-d', '-m']);
		worker = eda(['consumer', '-d', '--interval', '0', '--json']);
		await master.waitForLine((l) => l === 'Master Node running', 'the master banner', 60_000);
		await waitFor(async () => {
			for (const id of ids) if ((await store.get(id))?.['state'] !== 'done') return false;
			return true;
		}, 'all 20 done', 60_000);
		// The worker's lines travel by pipe and may trail what Redis already says.
		const seen = (await waitFor(() => (processing(worker).length >= ids.length ? processing(worker) : undefined), "the worker's 20 records")).map((r) => r['id']);
		assert.deepEqual([...seen].sort(), [...ids].sort(), 'each processed exactly once');
		assert.equal(processing(worker)[0]?.['body'], '{"order_id":0}', 'the body exactly as posted');
	});

	test('a body LPUSHed by the Go master is processed by our worker, and a PUBLISH on `master` is stored by our master', async () => {
		await redis.client.lpush(goCompat.workQueue, 'pushed by the go master');
		await waitFor(() => processing(worker).find((r) => r['body'] === 'pushed by the go master'), 'the LPUSHed body processed', 30_000);
		await redis.client.publish(goCompat.masterChannel, '{"from":"go api-server"}');
		await master.waitForLine((l) => l === 'Recieved Message', 'the master to say it received the message', 60_000);
		const record = await waitFor(() => processing(worker).find((r) => r['body'] === '{"from":"go api-server"}'), 'the published body processed', 30_000);
		await waitFor(async () => (await store.get(String(record['id'])))?.['state'] === 'done', 'it to be done', 30_000);
	});

	test('a worker stopped with SIGTERM exits 0', async () => {
		assert.equal((await worker.kill('SIGTERM')).code, 0);
	});

	test('a worker SIGKILLed mid-handler: another worker processes its event after the lease runs out', async () => {
		// A lease long enough that the event is still in flight when the test looks, on a loaded machine too.
		const slow = eda(['consumer', '-d', '--interval', '0', '--work-time', '60s', '--lease', '3s', '--json']);
		await slow.waitForLine((l) => l.includes('"event":"idle"'), 'the slow worker to be idle', 60_000);
		const {id} = await store.enqueue('slow one', 0);
		await waitFor(() => processing(slow).find((r) => r['id'] === id), 'the slow worker to take it', 30_000);
		await slow.kill('SIGKILL');
		assert.equal((await store.get(id))?.['state'], 'inflight');
		const rescuer = eda(['consumer', '-d', '--interval', '0', '--json']);
		const record = await waitFor(() => processing(rescuer).find((r) => r['id'] === id), 'another worker to process it', 60_000);
		assert.equal(record['attempts'], 2);
		assert.equal(record['body'], 'slow one');
		await waitFor(async () => (await store.get(id))?.['state'] === 'done', 'it to be done', 30_000);
		await rescuer.kill('SIGTERM');
	});

	for (const concurrency of [1, 2]) {
		test(`--concurrency ${concurrency} never runs more than ${concurrency} handler(s) at once`, async (t) => {
			// The worker's records come from one process in the order things
			// happened: `processing` when a handler starts, `handled` when it ends.
			const limited = eda(['consumer', '-d', '--interval', '0', '--work-time', '100ms', '--concurrency', String(concurrency), '--json']);
			t.after(() => limited.kill('SIGTERM'));
			await limited.waitForLine((l) => l.includes('"event":"idle"'), 'the worker to be idle', 60_000);
			const ids = new Set<string>();
			for (let i = 0; i < 12; i++) ids.add((await store.enqueue(`limit ${concurrency} #${i}`, 0)).id);
			await store.promote(); // all twelve ready at once, whether or not a master runs
			const mine = (r: Record<string, unknown>) => ids.has(String(r['id']));
			await waitFor(() => limited.records().filter((r) => r['event'] === 'handled' && mine(r)).length === ids.size, 'every handler to end', 60_000);
			let running = 0;
			let most = 0;
			for (const record of limited.records().filter(mine)) {
				if (record['event'] === 'processing') most = Math.max(most, ++running);
				else if (record['event'] === 'handled') running--;
			}
			assert.equal(most, concurrency, `at most ${concurrency} at once, and the limit reached`);
		});
	}

	test('a stopping worker hands its unfinished event back at once, not after its lease', async () => {
		const busy = eda(['consumer', '-d', '--interval', '0', '--work-time', '60s', '--lease', '60s', '--json']);
		await busy.waitForLine((l) => l.includes('"event":"idle"'), 'the worker to be idle', 60_000);
		const {id} = await store.enqueue('hand me back', 0);
		await waitFor(() => processing(busy).find((r) => r['id'] === id), 'the worker to take it', 30_000);
		assert.equal((await busy.kill('SIGTERM')).code, 0);
		const record = await store.get(id);
		assert.equal(record?.['state'], 'ready');
		assert.equal(record?.['attempts'], '0');
		assert.equal(await redis.client.lindex(goCompat.workQueue, -1), 'hand me back');
	});
});
