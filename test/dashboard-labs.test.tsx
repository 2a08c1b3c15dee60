// The Labs view inside the dashboard, driven through ink-testing-library with
// the real runtime (producer, master, a worker) and real labs on a private
// Redis: open it with L, pick a lab, see its snapshot, its keys reach
// lab.actions(), help lists them, Esc backs out and stops the lab.
import assert from 'node:assert/strict';
import {after, afterEach, before, describe, it} from 'node:test';
import {cleanup} from 'ink-testing-library';
import {labOrder} from '../source/dashboard/lab-names.js';
import {DashboardRuntime} from '../source/dashboard/runtime/runtime.js';
import {DashboardStore} from '../source/dashboard/store/store.js';
import {runtimeControls, showStarted, storeWiring} from '../source/dashboard/wiring.js';
import {labNames} from '../source/labs/lab.js';
import {keys as redisKeys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {keys, renderDashboard} from './helpers/dashboard.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let session: RedisSession;

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => undefined});
});

after(async () => {
	await session.close();
	await redis.stop();
});

/**
 * The dashboard wired as screen.tsx wires it (dashboard/wiring.ts): the
 * runtime's lines in the Log, its actors and lab state in the store, the
 * screen's controls delegating to it. `quits` records each quit the screen asks for.
 */
async function startDashboard() {
	const store = new DashboardStore({frameMs: 1, redisUrl: redis.url});
	const quits: string[] = [];
	const quit = () => void quits.push('quit');
	const runtime: DashboardRuntime = new DashboardRuntime({
		session,
		host: '127.0.0.1',
		port: 0,
		workers: 1,
		worker: {intervalMs: 0, concurrency: 1, leaseMs: 30_000, maxAttempts: 5, backoffMs: 1000},
		topics: [],
		onQuit: quit,
		labSnapshotMs: 200,
		...storeWiring(store, () => runtime),
	});
	await runtime.start();
	showStarted(store, runtime);
	const app = await renderDashboard({store, controls: runtimeControls(() => runtime, quit)});
	return {store, runtime, app, quits, url: runtime.producer?.url ?? ''};
}

let running: DashboardRuntime | undefined;
afterEach(async () => {
	cleanup();
	await running?.stop();
	running = undefined;
	await redis.client.flushall();
});

describe('the Labs view in the dashboard', {timeout: 60_000}, () => {
	it('lists the labs in labNames order', () => {
		assert.deepEqual([...labOrder], [...labNames]);
	});

	it('L opens the picker, arrows pick, Enter starts the orders lab, its keys reach lab.actions(), Esc backs out and stops it', async () => {
		const {store, runtime, app, url} = await startDashboard();
		running = runtime;
		assert.match(app.frame(), /L labs/, 'the hint line offers L');

		let frame = await app.press('L', (f) => f.includes('Concept labs: pick one'), 'the picker');
		assert.match(frame, /› orders/, 'the first lab is picked');
		assert.match(frame, /↑\/↓ pick {2}Enter start/, 'the hint line says how to pick');
		assert.ok(!frame.includes('1 Topics'), 'full screen, in place of the panes');
		await app.press(keys.down, (f) => /› cqrs/.test(f), 'cqrs picked');
		await app.press(keys.down, (f) => /› deferred/.test(f), 'deferred picked');
		await app.press(keys.down, (f) => /› portal/.test(f), 'portal picked');
		await app.press(keys.down, (f) => /› mesh/.test(f), 'mesh picked');
		await app.press(keys.down, (f) => /› mesh/.test(f), 'the last stays picked');
		await app.press(keys.up, (f) => /› portal/.test(f), 'back up');
		await app.press(keys.up, (f) => /› deferred/.test(f), 'deferred picked');
		await app.press(keys.up, (f) => /› cqrs/.test(f), 'cqrs picked');
		await app.press(keys.up, (f) => /› orders/.test(f), 'orders picked');

		// Enter: the lab starts on the dashboard's own producer and its snapshot draws.
		frame = await app.press(keys.enter, (f) => f.includes('Choreography: an order flow') && f.includes('orders 1/s'), "the orders lab's snapshot");
		assert.ok(frame.includes(url), 'the title names the producer it runs on');
		const placed = await fetch(`${url}/orders`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"amount": 1250}'});
		assert.equal(placed.status, 202, "the lab's route answers on the dashboard's producer");
		const {orderId} = (await placed.json()) as {orderId: string};
		// Its chain as swimlanes: the order, then a row per service.
		await app.waitForFrame((f) => f.includes(orderId) || /ord-\S+ {2}[✓✕…]/.test(f), 'an order with its state');
		await app.waitForFrame((f) => /^orders\s+●created/m.test(f) && /^payments\s+.*●authorized|^payments\s+.*✕declined/m.test(f), "an order's swimlanes");

		// The lab's keys reach lab.actions(): + raises the order rate, P pauses payments.
		await app.press('+', (f) => f.includes('orders 2/s'), 'the rate raised by +');
		await app.press('P', (f) => /payments .*⏸ PAUSED/.test(f), 'payments paused by P');
		await app.press('P', (f) => !f.includes('PAUSED'), 'payments resumed by P');
		// Lowercase p, i, s cycle one service's failure rate (10% → 25%); the others keep theirs.
		await app.press('i', (f) => /^inventory\s+\d+\s+\d+\s+25%/m.test(f), "inventory's rate raised by i");
		assert.match(app.frame(), /^payments\s+\d+\s+\d+\s+10%/m, 'payments untouched by i');
		await app.press('s', (f) => /^shipping\s+\d+\s+\d+\s+25%/m.test(f), "shipping's rate raised by s");
		await app.press('p', (f) => /^payments\s+\d+\s+\d+\s+25%/m.test(f), "payments' rate raised by p");
		// A panes key does nothing here: n opens no form.
		await app.pressAndSettle('n');
		assert.ok(!app.frame().includes('Publish an event'), 'n is not a key of the Labs view');

		// Help lists the view's keys and the lab's own, not the panes'.
		frame = await app.press('?', (f) => f.includes('Keys (? Esc or q closes)') && f.includes('In the orders lab'), 'help over Labs');
		for (const label of ['pick a lab', 'start the picked lab', 'more orders/s', 'cycle all fail rates', 'cycle inventory fail rate', 'pause/resume payments', 'back out one step']) {
			assert.ok(frame.includes(label), `help shows "${label}"`);
		}
		assert.ok(!frame.includes('focus the next pane'), 'no panes keys in Labs help');
		await app.press(keys.escape, (f) => f.includes('Choreography: an order flow'), 'help closed, the lab again');

		// e: the whole explanation; Esc closes it first.
		await app.press('e', (f) => f.includes('Pause a service (its capital letter)'), 'the whole explanation');
		await app.press(keys.escape, (f) => /^service\s+waiting/m.test(f), 'back to the lab');

		// Esc: back to the panes; the lab stops, its routes go, its lines stay in the Log.
		await app.press(keys.escape, (f) => f.includes('1 Topics') && f.includes('4 Log'), 'the panes');
		await waitFor(() => store.getState().lab.phase === 'idle' && runtime.labs.current === undefined, 'the lab stopped');
		assert.equal((await fetch(`${url}/orders`, {method: 'POST'})).status, 404, 'no lab route once it stopped');
		await app.waitForFrame((f) => /^│\d\d:\d\d:\d\d orders {6}/m.test(f), "the lab's lines in the Log");
		assert.deepEqual(await redis.client.keys(redisKeys.actor('lab*')), [], "no lab heartbeat left");
	});

	it('the deferred lab pauses the dashboard\'s own master and workers while it runs; q leaves Labs, q again quits', async () => {
		const {store, runtime, app, quits} = await startDashboard();
		running = runtime;
		await app.press('L', (f) => f.includes('Concept labs: pick one'), 'the picker');
		await app.press(keys.down, (f) => /› cqrs/.test(f), 'cqrs');
		await app.press(keys.down, (f) => /› deferred/.test(f), 'deferred');
		await app.press(keys.enter, (f) => f.includes('Deferred execution') && /one worker, a task every/.test(f), "the deferred lab's snapshot");
		assert.ok(runtime.actors().filter((a) => a.kind === 'master' || a.kind === 'worker').every((a) => a.paused), "the dashboard's own master and worker are paused");
		await app.press('m', (f) => f.includes('MASTER PAUSED'), 'm reached the lab');
		await app.press('q', (f) => f.includes('1 Topics'), 'q left Labs');
		await waitFor(() => store.getState().lab.phase === 'idle', 'the lab stopped');
		assert.ok(runtime.actors().filter((a) => a.kind === 'master' || a.kind === 'worker').every((a) => !a.paused), 'they run again');
		assert.deepEqual(quits, [], 'leaving Labs did not quit');
		await app.pressAndSettle('q');
		assert.deepEqual(quits, ['quit'], 'q at the top level quits');
	});

	it('the cqrs lab: its keys, typed fast too; single letters type into a text field instead', async () => {
		const {runtime, app} = await startDashboard();
		running = runtime;
		await app.press('/', (f) => f.includes('/ filter Topics:'), 'a filter prompt');
		await app.press('L', (f) => f.includes('/ filter Topics: L'), 'L typed, not acted on');
		await app.press(keys.escape, (f) => !f.includes('/ filter Topics'), 'prompt closed');
		await app.press('L', (f) => f.includes('Concept labs: pick one'), 'the picker');
		await app.press(keys.down, (f) => /› cqrs/.test(f), 'cqrs');
		await app.press(keys.enter, (f) => f.includes('Eventual consistency and CQRS') && f.includes('one group (right)'), "the cqrs lab's snapshot");
		await app.waitForFrame((f) => f.includes('replica-1') && f.includes('replica-2') && !f.includes('replica-3'), 'two replicas in the group');
		await app.press('+', (f) => f.includes('replica-3'), 'a replica added by +');
		await app.press('d', (f) => f.includes('projection delay 500ms'), 'd raised the projection delay');
		// Keys typed faster than a read arrive as one string: each still counts.
		await app.press('dd', (f) => f.includes('projection delay 5s'), 'dd raised it twice');
		await app.press(keys.escape, (f) => f.includes('1 Topics'), 'back to the panes');
	});
});
