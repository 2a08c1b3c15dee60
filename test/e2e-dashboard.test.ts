// End to end in a real pseudo-terminal: `eda` on a private Redis, read back
// from a headless terminal emulator's screen.
import assert from 'node:assert/strict';
import {after, before, beforeEach, describe, it} from 'node:test';
import {freePort} from '../source/redis/private-server.js';
import {keys as redisKeys} from '../source/redis/keys.js';
import {spawnCli} from './helpers/process.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';
import {spawnTerminal} from './helpers/terminal.js';

const key = {tab: '\t', enter: '\r', ctrlU: '\u0015'};

let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
});
after(async () => {
	await redis.stop();
});

describe('eda dashboard end to end', {timeout: 120_000}, () => {
	beforeEach(async () => {
		await redis.client.flushall();
	});

	it('shows a POSTed event, moves a deferred event scheduled → ready → processed, quits clean', async () => {
		const port = await freePort();
		const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port), '--interval', '1s'], {columns: 80, rows: 24});
		try {
			await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`) && s.includes('worker 1'), 'the producer and a worker');

			// The topic demo: curl from another terminal, seen on screen.
			const answer = await fetch(`http://127.0.0.1:${port}/topics/orderCreated`, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: '{"order_id": 123}',
			});
			assert.equal(answer.status, 200);
			await term.waitForScreen((s) => /orderCreated\s+1\s/.test(s) && s.includes('last: {"order_id": 123}'), 'the event in Topics');

			// Hold the worker so the ready stage can be seen.
			term.write('3');
			await term.waitForScreen((s) => s.includes('▶ 3 Deferred ◀'), 'Deferred focused');
			term.write('j');
			await term.waitForScreen((s) => s.includes('› worker 1'), 'worker 1 selected');
			term.write('p');
			await term.waitForScreen((s) => /worker 1\s+PAUSED/.test(s), 'worker 1 paused');

			// Publish a deferred event from the form, due in 3 s.
			term.write('n');
			await term.waitForScreen((s) => s.includes('Publish an event'), 'the form');
			term.write(key.tab);
			await term.waitForScreen((s) => s.includes('› Send as'), 'kind field');
			term.write(' ');
			await term.waitForScreen((s) => s.includes('(•) deferred'), 'deferred chosen');
			term.write(key.tab);
			await term.waitForScreen((s) => s.includes('› Delay'), 'delay field');
			term.write(key.ctrlU);
			await term.waitForScreen((s) => s.includes('e.g. 30s') && !s.includes('10s'), 'delay emptied');
			// Long enough that a loaded machine still draws it while it is scheduled.
			term.write('12s');
			await term.waitForScreen((s) => /› Delay\s+12s/.test(s), 'delay typed');
			term.write(key.tab);
			await term.waitForScreen((s) => s.includes('› Payload'), 'payload field');
			term.write(key.ctrlU);
			await term.waitForScreen((s) => s.includes('the payload is empty'), 'payload emptied');
			term.write('{"job": "e2e"}');
			await term.waitForScreen((s) => s.includes('{"job": "e2e"}') && s.includes('✓ valid JSON'), 'payload typed');
			term.write(key.enter);

			await term.waitForScreen((s) => /scheduled \(1\)/.test(s) && /#\d+ in [\d.]+s/.test(s) && s.includes('{"job": "e2e"}'), 'scheduled with a countdown');
			await term.waitForScreen((s) => /ready\s+1 /.test(s) && /scheduled \(0\)/.test(s), 'ready', 60_000);
			term.write('p');
			await term.waitForScreen((s) => s.includes('Processing event:') && s.includes('done 1'), 'processed');
			// The log cuts long lines; wrapped, the whole body shows.
			term.write('4');
			await term.waitForScreen((s) => s.includes('▶ 4 Log ◀'), 'Log focused');
			term.write('w');
			// Two panes share each row: read the Log's own column (its rows start with ║ or │ at column 0).
			await term.waitForScreen((s) => s.split('\n').map((row) => row.slice(0, 42)).join('').replace(/[│║\s]/g, '').includes('Processingevent:{"job":"e2e"}'), 'the whole line, wrapped');

			term.write('q');
			assert.equal(await term.exited, 0);
		} finally {
			term.kill();
		}
		assert.deepEqual(await redis.client.zrange(redisKeys.actors, 0, -1), [], 'no heartbeat left in the index');
		assert.deepEqual(await redis.client.keys(redisKeys.actor('*')), [], 'no heartbeat hash left');
		assert.equal(await redis.client.zcard(redisKeys.deferred.inflight), 0, 'nothing stranded in flight');
	});

	it('quitting hands an event in flight back to the queue', async () => {
		const port = await freePort();
		const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port), '--interval', '0', '--work-time', '60s'], {columns: 80, rows: 24});
		try {
			await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`) && s.includes('worker 1'), 'started');
			const answer = await fetch(`http://127.0.0.1:${port}/deferred-exec`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"slow": true}'});
			assert.equal(answer.status, 200);
			await term.waitForScreen((s) => /in flight \(1\)/.test(s) && /lease \d+(\.\d)?s/.test(s), 'in flight with a lease');
			term.write('q');
			assert.equal(await term.exited, 0);
		} finally {
			term.kill();
		}
		assert.equal(await redis.client.zcard(redisKeys.deferred.inflight), 0, 'not left in flight');
		assert.ok((await redis.client.lrange('message:queue', 0, -1)).includes('{"slow": true}'), 'back in message:queue');
		assert.deepEqual(await redis.client.zrange(redisKeys.actors, 0, -1), []);
	});

	it('Labs: L opens it, Enter starts the orders lab, its swimlanes draw, q backs out and stops it, q quits clean', async () => {
		const port = await freePort();
		const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port)], {columns: 80, rows: 24});
		try {
			await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`) && s.includes('worker 1') && s.includes('L labs'), 'started, L offered');
			term.write('L');
			await term.waitForScreen((s) => s.includes('Concept labs: pick one') && s.includes('› orders'), 'the picker');
			term.write(key.enter);
			// An order's chain as swimlanes: the order line, then a row per service, events left to right.
			await term.waitForScreen(
				(s) => s.includes('Choreography: an order flow') && /^ord-\S+ {2}[✓✕…]/m.test(s) && /^orders +●created/m.test(s) && /^payments +(●authorized|✕declined)/m.test(s),
				"an order's swimlanes",
			);
			const placed = await fetch(`http://127.0.0.1:${port}/orders`, {method: 'POST'});
			assert.equal(placed.status, 202, "the lab's route on the dashboard's producer");
			term.write('q');
			await term.waitForScreen((s) => s.includes('1 Topics') && s.includes('4 Log') && s.includes('L labs'), 'back to the panes');
			await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/orders`, {method: 'POST'})).status === 404, 'the lab stopped: its route gone');
			term.write('q');
			assert.equal(await term.exited, 0);
		} finally {
			term.kill();
		}
		assert.deepEqual(await redis.client.zrange(redisKeys.actors, 0, -1), [], 'no heartbeat left in the index');
		assert.deepEqual(await redis.client.keys(redisKeys.actor('*')), [], 'no heartbeat hash left');
	});

	it('not a terminal: prints the actors\' lines instead of a screen', async () => {
		const port = await freePort();
		// NO_COLOR left unset: the plain lines must be free of escapes by themselves.
		const child = spawnCli(['--redis-url', redis.url, '--port', String(port)], {env: {NO_COLOR: undefined}});
		await child.waitUntil(() => child.stdout().includes('API server listening on') && child.stdout().includes('Master Node running'), 'the plain lines', 30_000);
		await fetch(`http://127.0.0.1:${port}/deferred-exec`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"plain":"\\u001b[2J"}'});
		assert.equal((await child.kill('SIGINT')).code, 0);
		assert.ok(!child.stdout().includes('\u001B['), 'no escape sequence in plain output');
	});
});
