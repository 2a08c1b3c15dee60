// The dashboard in a real pseudo-terminal, exposed: --insecure on 0.0.0.0
// says INSECURE on the status bar, and a Redis URL's password shows masked.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';
import {freePort} from '../source/redis/private-server.js';
import {spawnTerminal} from './helpers/terminal.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

const password = 'hunter2-Pa55';
let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
	await redis.client.config('SET', 'requirepass', password);
});
after(async () => {
	await redis.stop();
});

describe('the dashboard exposed', {timeout: 120_000}, () => {
	it('--insecure on 0.0.0.0: INSECURE on the status bar; the Redis password masked; publish still works', async () => {
		const port = await freePort();
		const url = `redis://:${password}@127.0.0.1:${redis.port}`;
		const term = spawnTerminal(['--redis-url', url, '--port', String(port), '--host', '0.0.0.0', '--insecure'], {columns: 100, rows: 30});
		try {
			const screen = await term.waitForScreen((s) => s.includes(`producer http://0.0.0.0:${port}`) && s.includes('INSECURE'), 'the producer and the INSECURE warning');
			assert.match(screen, /INSECURE: producer open to the network, no token \(--insecure\)/);
			assert.match(screen, new RegExp(`Redis redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}`));
			assert.ok(!screen.includes(password), screen);
			const answer = await fetch(`http://127.0.0.1:${port}/topics/exposed`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"a":1}'});
			assert.equal(answer.status, 200);
		} finally {
			term.kill();
		}
	});

	it('with --token: no INSECURE, the producer wants the token, the curl hint shows the header', async () => {
		await redis.client.flushall();
		const port = await freePort();
		const term = spawnTerminal(['--redis-url', `redis://:${password}@127.0.0.1:${redis.port}`, '--port', String(port), '--host', '0.0.0.0', '--token', 'tok-e2e-123456'], {columns: 240, rows: 30});
		try {
			const screen = await term.waitForScreen((s) => s.includes(`producer http://0.0.0.0:${port} (token)`) && s.includes('Bearer $EDA_TOKEN'), 'the producer and the hint');
			assert.ok(!screen.includes('INSECURE') && !screen.includes('tok-e2e-123456') && !screen.includes(password), screen);
			const refused = await fetch(`http://127.0.0.1:${port}/topics`);
			assert.equal(refused.status, 401);
		} finally {
			term.kill();
		}
	});
});
