// Keys as a terminal delivers them, through a real pty: several keys in one
// read are each a key; a bracketed paste is text, whatever it holds.
import assert from 'node:assert/strict';
import {after, before, beforeEach, describe, it} from 'node:test';
import {freePort} from '../source/redis/private-server.js';
import {keys} from '../source/redis/keys.js';
import {spawnTerminal, type Term} from './helpers/terminal.js';
import {startTestRedis, type TestRedis} from './helpers/redis.js';

const paste = (text: string) => `\u001B[200~${text}\u001B[201~`;

let redis: TestRedis;
before(async () => {
	redis = await startTestRedis();
});
after(async () => {
	await redis.stop();
});

async function dashboard(nodeArgs: string[] = []): Promise<{term: Term; port: number}> {
	const port = await freePort();
	const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port)], {columns: 100, rows: 30, nodeArgs});
	await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`), 'the producer');
	return {term, port};
}

/** Esc (alone: Esc and a key in one read are Alt and that key) until the panes show, then q. */
async function quit(term: Term): Promise<void> {
	if (!/ ◀/.test(term.screen())) {
		term.write('\u001B');
		await term.waitForScreen((s) => / ◀/.test(s), 'the panes');
	}
	term.write('q');
	assert.equal(await term.exited, 0);
}

describe('keys and pastes through the pty', {timeout: 90_000}, () => {
	beforeEach(async () => {
		await redis.client.flushall();
	});

	it('Tab Tab in one read moves the publish form two fields on', async () => {
		const {term} = await dashboard();
		try {
			term.write('n');
			await term.waitForScreen((s) => s.includes('› Topic'), 'the form, on Topic');
			term.write('\t\t');
			await term.waitForScreen((s) => s.includes('› Payload'), 'focus two fields on: Payload');
			// And back two with Shift-Tab Shift-Tab (escape sequences, one read).
			term.write('\u001B[Z\u001B[Z');
			await term.waitForScreen((s) => s.includes('› Topic'), 'focus back on Topic');
			// Typed text and Enter in one read: the text goes in, then Enter submits.
			term.write('orderPlaced\t\t\u0015{"n": 1}\r');
			await term.waitForScreen((s) => s.includes('published to orderPlaced'), 'the event published');
			assert.equal(await redis.client.xlen(keys.stream('orderPlaced')), 1);
			await quit(term);
		} finally {
			term.kill();
		}
	});

	it('keys read together with the one that opens a text field go into that field', async () => {
		const {term} = await dashboard();
		try {
			// n opens the form; the Tabs, read with it, are the form's (it mounts after n is handled).
			term.write('n\t\t');
			await term.waitForScreen((s) => s.includes('› Payload'), 'the form, two fields on');
			term.write('\u001B');
			await term.waitForScreen((s) => s.includes('▶ 1 Topics ◀'), 'the panes again');
			// The same for the filter prompt: / and the text in one read.
			term.write('/abc');
			await term.waitForScreen((s) => /\/ filter Topics: abc/.test(s), 'the text in the filter');
			term.write('\u001B');
			await term.waitForScreen((s) => !s.includes('/ filter Topics'), 'the prompt closed, the filter cleared');
			await quit(term);
		} finally {
			term.kill();
		}
	});

	it('a bracketed paste holding Tab and Enter is inserted: focus stays, nothing is published', async () => {
		const {term} = await dashboard();
		try {
			assert.equal(term.bracketedPaste(), true, 'bracketed paste is on while the dashboard runs');
			term.write('n');
			await term.waitForScreen((s) => s.includes('› Topic'), 'the form, on Topic');
			// A valid topic, so an Enter would publish.
			term.write('pasted');
			await term.waitForScreen((s) => /› Topic\s+pasted/.test(s), 'the topic typed');
			term.write('\t');
			await term.waitForScreen((s) => s.includes('› Send as'), 'on Send as');
			term.write('\t');
			await term.waitForScreen((s) => s.includes('› Payload'), 'on Payload');
			term.write('\u0015');
			await term.waitForScreen((s) => s.includes('the payload is empty'), 'payload emptied');
			term.write(paste('{"a":\t1,\r"b": 2}\r'));
			await term.waitForScreen((s) => s.includes('{"a": 1, "b": 2}') && s.includes('✓ valid JSON'), 'the paste in the payload');
			const screen = term.screen();
			assert.match(screen, /› Payload/, 'focus did not move');
			assert.match(screen, /Publish an event/, 'the form is still open: nothing submitted');
			assert.equal(await redis.client.exists(keys.stream('pasted')), 0, 'nothing was published');
			// A typed Enter does publish it: the check above could have failed.
			term.write('\r');
			await term.waitForScreen((s) => s.includes('published to pasted'), 'published on a typed Enter');
			assert.equal(await redis.client.xlen(keys.stream('pasted')), 1);
			await quit(term);
		} finally {
			term.kill();
		}
	});

	it('a paste in the panes runs no keys', async () => {
		const {term} = await dashboard();
		try {
			await term.waitForScreen((s) => s.includes('▶ 1 Topics ◀'), 'Topics focused');
			// Each of these, typed, would move focus, open the form or quit.
			term.write(paste('2nq'));
			// Then a typed key that shows the screen has read past the paste.
			term.write('3');
			await term.waitForScreen((s) => s.includes('▶ 3 Deferred ◀'), 'Deferred focused by the typed 3');
			assert.doesNotMatch(term.screen(), /Publish an event/);
			await quit(term);
		} finally {
			term.kill();
		}
	});

	it('bracketed paste is off again after q and after SIGTERM', async () => {
		for (const stop of ['q', 'SIGTERM'] as const) {
			const {term} = await dashboard();
			try {
				assert.equal(term.bracketedPaste(), true);
				if (stop === 'q') term.write('q');
				else process.kill(term.pid, 'SIGTERM');
				assert.equal(await term.exited, 0);
				await new Promise((resolve) => setImmediate(resolve));
				assert.equal(term.bracketedPaste(), false, `bracketed paste off after ${stop}`);
			} finally {
				term.kill();
			}
		}
	});

	it('bracketed paste is off again after a crash', async () => {
		// A preload that throws on SIGUSR2: an uncaught exception in the running dashboard.
		const crash = `data:text/javascript,${encodeURIComponent("process.on('SIGUSR2', () => { throw new Error('boom'); });")}`;
		const {term} = await dashboard(['--import', crash]);
		try {
			assert.equal(term.bracketedPaste(), true);
			process.kill(term.pid, 'SIGUSR2');
			assert.equal(await term.exited, 1);
			await new Promise((resolve) => setImmediate(resolve));
			assert.equal(term.bracketedPaste(), false, 'bracketed paste off after the crash');
		} finally {
			term.kill();
		}
	});
});
