// End to end in a real pseudo-terminal: `eda` on a private Redis opens a
// topic's events, one event whole, its trace across topics, and filters.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {freePort} from '../source/redis/private-server.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';
import {spawnTerminal} from './helpers/terminal.js';

const key = {enter: '\r', escape: '\u001B'};

let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
});
after(async () => {
	await redis.stop();
});

describe('eda dashboard: the Events view end to end', {timeout: 120_000}, () => {
	it('opens a topic, an event, its trace, and filters', async () => {
		const port = await freePort();
		const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port)], {columns: 120, rows: 32});
		try {
			await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`), 'the producer');
			const post = async (topic: string, body: string, headers: Record<string, string>) => {
				const answer = await fetch(`http://127.0.0.1:${port}/topics/${topic}`, {method: 'POST', headers: {'content-type': 'application/json', ...headers}, body});
				assert.equal(answer.status, 200, await answer.text());
			};
			for (let i = 1; i <= 5; i++) await post('aOrders', JSON.stringify({order: i, total: i * 10}), {'ce-id': `order-${i}`, 'ce-correlationid': `flow-${i}`});
			await post('bPayments', '{"paid":true}', {'ce-id': 'pay-3', 'ce-correlationid': 'flow-3', 'ce-causationid': 'order-3'});
			await term.waitForScreen((s) => s.includes('aOrders') && s.includes('bPayments'), 'both topics listed');

			// Topics are sorted: aOrders is selected first.
			term.write(key.enter);
			await term.waitForScreen((s) => s.includes('Events · aOrders · 5 retained') && s.includes('order-5'), 'the events of aOrders');

			term.write('/');
			await term.waitForScreen((s) => s.includes('/ filter (text, or field=value'), 'the filter question');
			term.write('total>25');
			await term.waitForScreen((s) => s.includes('total>25'), 'typed');
			term.write(key.enter);
			await term.waitForScreen((s) => s.includes('filter total>25 · 3 match(es)') && !s.includes('order-2 '), 'the matches');

			term.write('G');
			await term.waitForScreen((s) => /› \S+ \S+ +order-3 /.test(s), 'order-3 selected');
			term.write(key.enter);
			await term.waitForScreen((s) => s.includes('Event · aOrders') && s.includes('correlationid: flow-3') && s.includes('"total": 30'), 'the event whole');

			term.write('t');
			await term.waitForScreen((s) => s.includes('Trace · correlation id flow-3') && s.includes('2 event(s)') && /└─ \+\S+ \S+ bPayments id=pay-3/.test(s), 'the trace tree');

			term.write(key.escape);
			await term.waitForScreen((s) => s.includes('Events · aOrders'), 'back to the list');
			term.write('q');
			await term.waitForScreen((s) => s.includes('Events · aOrders · 5 retained') && s.includes('following new events'), 'the filter cleared');
			term.write('q');
			await term.waitForScreen((s) => s.includes('1 Topics'), 'the panes');
			term.write('q');
			assert.equal(await term.exited, 0);
		} finally {
			term.kill();
		}
	});
});
