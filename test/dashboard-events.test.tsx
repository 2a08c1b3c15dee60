// The Events view on a real Redis through ink-testing-library: Enter on a
// topic opens its events newest first and follows new ones unless scrolled,
// Enter shows one whole (JSON coloured, other bytes made visible), `/`
// filters with progress and highlights, Esc stops a search, `t` traces, `r`
// republishes, `x` exports, `c` shows groups and claims with confirmation,
// the deferred events open with retry, retry all and delete, the rate chart.
import assert from 'node:assert/strict';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, before, describe, it} from 'node:test';
import chalk from 'chalk';
import {cleanup} from 'ink-testing-library';
import {DeferredStore} from '../source/deferred/store.js';
import {EventBrowser} from '../source/dashboard/feed/browser.js';
import {bindingsFor} from '../source/dashboard/keymap.js';
import {DashboardStore} from '../source/dashboard/store/store.js';
import {keys as redisKeys} from '../source/redis/keys.js';
import {publishEvents} from '../source/topics/publish.js';
import {keys, recordingControls, renderDashboard, stripFrame} from './helpers/dashboard.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

let redis: TestRedis;
let exportDir: string;
const browsers: EventBrowser[] = [];

async function publish(topic: string, id: string, data: string, extra: {correlationid?: string; causationid?: string; datacontenttype?: string} = {}): Promise<string> {
	const [entry] = await publishEvents(redis.client, topic, [
		{envelope: {specversion: '1.0', id, source: 'shop', type: topic, time: new Date().toISOString(), datacontenttype: extra.datacontenttype ?? 'application/json', data, ...extra}, wire: data},
	]);
	return entry!;
}

// Colour on for the tests that look for it (ink-testing-library's stream is no TTY).
chalk.level = 1;

before(async () => {
	redis = await startTestRedis();
	exportDir = mkdtempSync(path.join(os.tmpdir(), 'eda-export-'));
	for (let i = 1; i <= 30; i++) await publish('orders', `order-${i}`, JSON.stringify({order: i, customer: i === 7 ? 'John Doe' : 'Ann', total: i * 2}), {correlationid: `flow-${i}`});
	await publish('payments', 'pay-7', '{"paid":true}', {correlationid: 'flow-7', causationid: 'order-7'});
	await publish('oddities', 'odd-1', 'bell\x07 and\ttab', {datacontenttype: 'text/plain'});
});
after(async () => {
	for (const b of browsers) b.stop();
	await redis.stop();
	rmSync(exportDir, {recursive: true, force: true});
});
afterEach(() => cleanup());

const topicOrder = ['bulk', 'oddities', 'orders', 'payments'];

async function open(options: {colorOn?: boolean; topic?: string} = {}) {
	const topic = options.topic ?? 'orders';
	const store = new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:6379', now: () => Date.now()});
	for (const name of topicOrder) store.recordTopic(name, '{}');
	store.flush();
	const browser = new EventBrowser(redis.client, store, {exportDir, followMs: 50});
	browsers.push(browser);
	const controls = {...recordingControls(), browser};
	const app = await renderDashboard({store, controls, columns: 140, rows: 32, colorOn: options.colorOn});
	for (let i = 0; i < topicOrder.indexOf(topic); i++) await app.pressAndSettle('j');
	await app.waitForFrame((f) => f.includes(`› ${topic}`), `${topic} selected`);
	await app.press(keys.enter, (f) => f.includes(`Events · ${topic} · `) && !f.includes('reading…'), `the events of ${topic}`);
	return {app, store, browser};
}

describe('Events view', () => {
	it('Enter on a topic lists its events newest first, with the rate chart, and follows new ones at the top', async () => {
		const {app} = await open();
		const frame = app.frame();
		assert.ok(frame.indexOf('order-30') < frame.indexOf('order-29'), 'newest first');
		assert.match(frame, /rate, 15 min: .* peak .*\/s/);
		assert.match(frame, /newest first · following new events/);
		await publish('orders', 'order-31', '{"order":31}');
		await app.waitForFrame((f) => f.includes('order-31') && f.includes('31 retained'), 'the new event at the top');
		// Scrolled: no longer following.
		await app.press('j', (f) => f.includes('scrolled: not following'), 'scrolled');
		await publish('orders', 'order-32', '{"order":32}');
		await new Promise((r) => setTimeout(r, 300));
		assert.ok(!app.frame().includes('order-32'), 'a scrolled list stays put');
		await app.press('g', (f) => f.includes('order-32'), 'back at the top, following again');
		await app.press(keys.escape, (f) => f.includes('Topics'), 'back to the panes');
	});

	it('a flood while following: the list starts again from the newest, without a gap', async () => {
		const {app, store} = await open({topic: 'payments'});
		const pipeline = redis.client.pipeline();
		for (let i = 0; i < 150; i++) pipeline.xadd(redisKeys.stream('payments'), '*', 'id', `flood-${i}`, 'source', 'fill', 'data', '{}');
		await pipeline.exec();
		await app.waitForFrame(() => store.getState().browse.events[0]?.envelope.id === 'flood-149', 'the newest at the top');
		const ids = store.getState().browse.events.map((e) => e.envelope.id);
		assert.deepEqual(ids, Array.from({length: 100}, (_, i) => `flood-${149 - i}`));
		await app.press('G', () => store.getState().browse.events.length > 100, 'the next page');
		assert.equal(store.getState().browse.events[100]!.envelope.id, 'flood-49');
	});

	it('Enter opens an event whole: attributes and the payload pretty-printed with JSON colouring', async () => {
		const {app} = await open({colorOn: true});
		await app.press('G', () => true);
		const frame = await app.press(keys.enter, (f) => f.includes('Event · orders'), 'the event');
		assert.match(frame, /id: order-1\b/);
		assert.match(frame, /correlationid: flow-1/);
		assert.match(frame, /"customer": "Ann"/);
		// Coloured: a key cyan, a string green, a number yellow.
		const raw = app.lastFrame() ?? '';
		assert.ok(raw.includes('\u001B[36m"customer"'), 'keys in cyan');
		assert.ok(raw.includes('\u001B[32m"Ann"'), 'strings in green');
		assert.ok(raw.includes('\u001B[33m2'), 'numbers in yellow');
		await app.press(keys.escape, (f) => f.includes('Events · orders'), 'back to the list');
	});

	it('shows a non-JSON payload with its invisible bytes visible', async () => {
		const {app} = await open({topic: 'oddities'});
		const frame = await app.press(keys.enter, (f) => f.includes('Event · oddities'));
		assert.ok(frame.includes('bell\\x07 and\\ttab'), frame);
		assert.ok(!(app.lastFrame() ?? '').includes('\x07'));
	});

	it('/ filters by a field, searching the stream with progress, and highlights text matches', async () => {
		const {app} = await open({colorOn: true});
		await app.press('/', (f) => f.includes('/ filter (text, or field=value'), 'the filter line');
		for (const ch of 'total>56') app.stdin.write(ch);
		const frame = await app.press(keys.enter, (f) => /filter total>56 · 2 match\(es\) · \d+ of \d+ read/.test(f), 'the matches');
		assert.ok(frame.includes('order-30') && frame.includes('order-29') && !frame.includes('order-28'));
		await app.press('/', (f) => f.includes('/ filter (text'));
		for (let i = 0; i < 8; i++) app.stdin.write(keys.backspace);
		for (const ch of 'john') app.stdin.write(ch);
		await app.press(keys.enter, (f) => f.includes('filter john · 1 match(es)') && f.includes('order-7'), 'the text match');
		assert.ok((app.lastFrame() ?? '').includes('\u001B[4m'), 'the match is underlined');
		assert.match(stripFrame(app.lastFrame() ?? ''), /John Doe/);
		// Esc clears the filter: the whole list again, following (the filter's line once stayed).
		const cleared = await app.press(keys.escape, (f) => f.includes('newest first · following new events') && f.includes('order-28'), 'the filter cleared');
		assert.ok(!cleared.includes('filter john'));
	});

	it('a malformed filter gets one clear line and leaves the list as it was', async () => {
		const {app} = await open();
		await app.press('/', (f) => f.includes('/ filter (text'));
		for (const ch of 'total>lots') app.stdin.write(ch);
		const frame = await app.press(keys.enter, (f) => f.includes('is not a number'), 'the message');
		assert.match(frame, /filter "total>lots": > compares numbers, and "lots" is not a number/);
		assert.ok(frame.includes('order-30'), frame);
	});

	it('Esc stops a running search between steps', async () => {
		const pipeline = redis.client.pipeline();
		for (let i = 0; i < 100_000; i++) pipeline.xadd(redisKeys.stream('bulk'), '*', 'id', `bulk-${i}`, 'source', 'fill', 'data', '{"bulk":true}');
		await pipeline.exec();
		const {app, store} = await open({topic: 'bulk'});
		await app.press('/', (f) => f.includes('/ filter (text'));
		for (const ch of 'no such text') app.stdin.write(ch);
		await app.press(keys.enter, (f) => f.includes('searching (Esc stops)'), 'the search running');
		await app.press(keys.escape, () => store.getState().browse.filter?.running === false, 'stopped');
		const filter = store.getState().browse.filter!;
		assert.ok(filter.scanned < filter.total, `stopped at ${filter.scanned} of ${filter.total}`);
		// Esc again clears the filter; the list pages: the end of the first page reads the next.
		await app.press(keys.escape, () => store.getState().browse.filter === undefined && store.getState().browse.events.length === 100, 'the first page');
		await app.press('G', () => store.getState().browse.events.length === 200, 'the next page');
		assert.equal(store.getState().browse.events[100]!.envelope.id, 'bulk-99899');
	});

	it('t draws the trace across topics as its causation tree', async () => {
		const {app} = await open();
		await app.press('/', (f) => f.includes('/ filter (text'));
		for (const ch of 'order=7') app.stdin.write(ch);
		await app.press(keys.enter, (f) => f.includes('1 match(es)'));
		const frame = await app.press('t', (f) => f.includes('Trace · correlation id flow-7') && f.includes('2 event(s)'), 'the trace');
		assert.match(frame, /\d\d:\d\d:\d\d\.\d{3} orders id=order-7 /);
		assert.match(frame, /└─ \+\S+ \d\d:\d\d:\d\d\.\d{3} payments id=pay-7 /);
		await app.press(keys.escape, (f) => f.includes('Events · orders'));
	});

	it('r republishes the event as a new one caused by it; x exports the filtered list and says where', async () => {
		const {app} = await open();
		const before = await redis.client.xlen(redisKeys.stream('payments'));
		await app.press('r', (f) => f.includes('republish to topic: orders'), 'the question');
		for (let i = 0; i < 6; i++) app.stdin.write(keys.backspace);
		for (const ch of 'payments') app.stdin.write(ch);
		await app.press(keys.enter, (f) => f.includes('republished to payments'), 'the notice');
		assert.equal(await redis.client.xlen(redisKeys.stream('payments')), before + 1);
		const [[, fields]] = (await redis.client.xrevrange(redisKeys.stream('payments'), '+', '-', 'COUNT', 1)) as [[string, string[]]];
		assert.equal(fields[fields.indexOf('causationid') + 1], 'order-32');

		await app.press('/', (f) => f.includes('/ filter (text'));
		for (const ch of 'total>56') app.stdin.write(ch);
		await app.press(keys.enter, (f) => f.includes('2 match(es)'));
		const frame = await app.press('x', (f) => f.includes('exported 2 event(s)'), 'the export notice');
		const file = /to (\S+\.ndjson)/.exec(frame.replace(/\n/g, ''))?.[1];
		const written = readdirSync(exportDir).find((name) => name.endsWith('.ndjson'));
		assert.ok(written, `a file in ${exportDir} (${file})`);
		const lines = readFileSync(path.join(exportDir, written), 'utf8').trimEnd().split('\n');
		assert.deepEqual(lines.map((l) => (JSON.parse(l) as {id: string}).id), ['order-30', 'order-29']);
	});

	it('c shows consumer groups with pending entries; c on a group claims idle entries after asking', async () => {
		await redis.client.xgroup('CREATE', redisKeys.stream('orders'), 'billing', '0');
		const read = (await redis.client.xreadgroup('GROUP', 'billing', 'gone-member', 'COUNT', 2, 'STREAMS', redisKeys.stream('orders'), '>')) as [string, [string, string[]][]][];
		// Idle for two minutes, as a crashed member's entries would be.
		for (const [id] of read[0]![1]) await redis.client.xclaim(redisKeys.stream('orders'), 'billing', 'gone-member', 0, id, 'IDLE', 120_000);
		const {app} = await open();
		const frame = await app.press('c', (f) => f.includes('Consumer groups · orders') && f.includes('pending 2'), 'the groups');
		assert.match(frame, /consumer gone-member: pending 2/);
		assert.match(frame, /pending \d+-\d+ held by gone-member, idle 2m/);
		await app.press('c', (f) => f.includes("claim billing's entries idle ≥ 1m for consumer: eda-dashboard"), 'the question');
		await app.press(keys.enter, (f) => f.includes('claimed 2 entries of billing'), 'claimed');
		await app.waitForFrame((f) => f.includes('held by eda-dashboard'), 'the new holder');
	});

	it('deferred: Enter on the Deferred pane lists dead and scheduled events; Enter shows one; retry all and delete ask first', async () => {
		const deferred = new DeferredStore(redis.client);
		const {id: doomed} = await deferred.enqueue('{"doomed":true}', 0);
		await deferred.promote();
		const claimed = await deferred.claim(1, 'test-worker', 30_000, 1);
		await deferred.fail(claimed.events[0]!.id, claimed.events[0]!.token, 'the handler threw: boom', 1, 1000);
		const {id: later} = await deferred.enqueue('later\x1b[2J', 3_600_000);
		const {app} = await open();
		await app.press(keys.escape, (f) => f.includes('Topics'));
		await app.press('3', () => true);
		const list = await app.press(keys.enter, (f) => f.includes('Deferred · dead and scheduled') && f.includes(`#${later}`), 'the deferred list');
		assert.ok(list.includes(`#${doomed}`) && list.includes('dead'));
		const detail = await app.press(keys.enter, (f) => f.includes(`Deferred event #${doomed}`), 'the dead event');
		assert.match(detail, /attempts: 1/);
		assert.match(detail, /last error: the handler threw: boom/);
		assert.match(detail, /"doomed": true/);
		assert.match(detail, /died: \d{4}-/);
		await app.press('A', (f) => f.includes('retry every dead event? y/Enter yes'), 'asked');
		await app.press('y', (f) => f.includes('moved 1 dead event(s) back'), 'retried');
		assert.equal((await deferred.get(doomed))?.['state'], 'ready');
		await app.waitForFrame((f) => f.includes(`› #${later}`), 'the scheduled one left, selected');
		assert.ok(app.frame().includes('later\\x1b[2J'), 'sanitised');
		await app.press('X', (f) => f.includes(`delete deferred event #${later}?`), 'asked');
		await app.press('n', (f) => !f.includes('delete deferred event'), 'not deleted');
		assert.ok(await deferred.get(later));
		await app.press('X', (f) => f.includes(`delete deferred event #${later}?`));
		await app.press(keys.enter, (f) => f.includes(`deleted event #${later}`), 'deleted');
		assert.equal(await deferred.get(later), undefined);
		await waitFor(async () => (await redis.client.zscore(redisKeys.deferred.scheduled, later)) === null, 'out of the schedule');
	});

	it('? lists the Events keys', async () => {
		const {app} = await open();
		const frame = await app.press('?', (f) => f.includes('In Events'), 'help');
		for (const binding of bindingsFor('events').flatMap((section) => section.bindings)) assert.ok(frame.includes(binding.label), `help shows "${binding.label}"`);
		// At 80×24 too, every label on one line, nothing cut.
		await app.press(keys.escape, (f) => !f.includes('Keys (? Esc'));
		const small = await app.resize(80, 24);
		assert.ok(small.includes('Events · orders'));
		const help = await app.press('?', (f) => f.includes('In Events'), 'help at 80×24');
		for (const binding of bindingsFor('events').flatMap((section) => section.bindings)) assert.ok(help.includes(binding.label), `help at 80×24 shows "${binding.label}"`);
	});
});

