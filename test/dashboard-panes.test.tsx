// Each pane on a fake store, at 80×24, through ink-testing-library.
import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import chalk from 'chalk';
import {cleanup, render} from 'ink-testing-library';
import {Text} from 'ink';
import React from 'react';
import stringWidth from 'string-width';
import App from '../source/dashboard/components/App.js';
import {lineRows} from '../source/dashboard/components/LogPane.js';
import {DashboardStore, type Snapshot} from '../source/dashboard/store/store.js';
import {renderDashboard} from './helpers/dashboard.js';
import {waitFor} from './helpers/redis.js';

const now = 1_000_000;

function snapshot(patch: Partial<Snapshot> = {}): Snapshot {
	return {
		now,
		rttMs: 0.4,
		topics: [{name: 'orderCreated', stored: 31, lastAt: now, subscribers: 2, groups: [{name: 'billing', lag: 3, pending: 1}]}],
		counts: {scheduled: 2, ready: 5, inflight: 1, dead: 4},
		counters: {enqueued: 12, promoted: 6, claimed: 2, done: 1, retried: 0, dead: 4},
		scheduled: [
			{id: '12', at: now + 4000, body: '{"a":1}', attempts: 0},
			{id: '13', at: now - 3000, body: '{"b":2}', attempts: 2},
		],
		inflight: [{id: '9', at: now + 28_000, body: '{"c":3}', attempts: 1}],
		oldestReadyAt: now - 12_000,
		actorNames: ['m', 'w1', 'elsewhere'],
		...patch,
	};
}

function filledStore(): DashboardStore {
	const store = new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:6379', now: () => now});
	store.setActors([
		{name: 'm', kind: 'master', label: 'master', paused: false, busy: 0, handled: 0},
		{name: 'w1', kind: 'worker', label: 'worker 1', paused: true, busy: 1, handled: 3, nextPollAt: now + 7000},
	]);
	store.status({producerUrl: 'http://127.0.0.1:3000', redisState: 'connected'});
	store.applySnapshot(snapshot());
	return store;
}

const lines = (frame: string) => frame.split('\n');

afterEach(() => cleanup());

describe('dashboard panes', () => {
	it('Topics: total, rate, sparkline, subscribers, groups with lag, last payload', async () => {
		const store = filledStore();
		for (let i = 0; i < 5; i++) store.recordTopic('orderCreated', '{"order_id": 123}');
		const app = await renderDashboard({store, columns: 120});
		const frame = await app.waitForFrame((f) => f.includes('last: {"order_id": 123}'), 'the topic row');
		const row = lines(frame).find((line) => line.includes('orderCreated')) ?? '';
		assert.match(row, /orderCreated\s+31\s+[\d.]+ [·▁▂▃▄▅▆▇█]+█\s+2║/, 'total, rate, a sparkline ending now, two subscribers');
		assert.match(frame, /groups: billing lag 3/);
	});

	it('Topics: topics only seen live (the Go tool) count what was seen', async () => {
		const store = filledStore();
		store.recordTopic('goTopic', 'hello');
		store.recordTopic('goTopic', 'hello again');
		const app = await renderDashboard({store});
		const frame = await app.waitForFrame((f) => f.includes('goTopic'), 'the live-only topic');
		assert.match(lines(frame).find((line) => line.includes('goTopic')) ?? '', /goTopic\s+2\s/);
	});

	it('Queues: each stage with its count, oldest ready wait, direction', async () => {
		const store = filledStore();
		const app = await renderDashboard({store});
		let frame = await app.waitForFrame((f) => f.includes('oldest ready 12s'), 'queues');
		assert.match(frame, /scheduled\s+2 /);
		assert.match(frame, /ready\s+5 /);
		assert.match(frame, /in flight\s+1 /);
		assert.match(frame, /dead\s+4 /);
		store.applySnapshot(snapshot({now: now + 1000, counts: {scheduled: 2, ready: 9, inflight: 1, dead: 4}}));
		frame = await app.waitForFrame((f) => f.includes('ready growing'), 'growing');
		assert.match(frame, /ready\s+9 .*↑/);
	});

	it('Deferred: countdowns, overdue (not "ago"), workers with next poll, leases', async () => {
		const app = await renderDashboard({store: filledStore()});
		const frame = await app.waitForFrame((f) => f.includes('#12 in 4s'), 'countdown');
		assert.match(frame, /#13 overdue 3s try 2/);
		assert.doesNotMatch(frame, /ago/);
		assert.match(frame, /master\s+running/);
		assert.match(frame, /worker 1\s+PAUSED/);
		assert.match(frame, /#9 lease 28s/);
		assert.match(frame, /actors 2 here, 1 elsewhere/);
	});

	it('Log: newest at the bottom, pause counts new lines, filter, clear', async () => {
		const store = filledStore();
		const app = await renderDashboard({store, columns: 120});
		for (let i = 1; i <= 30; i++) store.appendLog('worker 1', [`Processing event: {"n":${i}}`]);
		let frame = await app.waitForFrame((f) => f.includes('{"n":30}'), 'the newest line');
		assert.doesNotMatch(frame, /\{"n":1\}/, 'the oldest scrolled away');
		await app.press('4', (f) => f.includes('▶ 4 Log ◀'), 'log focus');
		await app.press('f', (f) => f.includes('PAUSED +0'), 'paused');
		store.appendLog('worker 1', ['Processing event: {"n":31}', 'Processing event: {"n":32}']);
		frame = await app.waitForFrame((f) => f.includes('PAUSED +2'), 'PAUSED +2');
		assert.doesNotMatch(frame, /\{"n":31\}/, 'paused: the new lines wait');
		await app.press('G', (f) => f.includes('following') && f.includes('{"n":32}'), 'following again');
		await app.press('/', (f) => f.includes('/ filter Log:'), 'the filter prompt');
		await app.press('n":7', (f) => f.includes('{"n":7}') && !f.includes('{"n":30}'), 'filtered');
		await app.press('\r', (f) => !f.includes('/ filter Log:'), 'prompt closed, filter kept');
		await app.press('\u001B', (f) => f.includes('{"n":32}'), 'Esc clears the filter');
		frame = await app.press('c', (f) => f.includes('Nothing printed yet.'), 'cleared');
	});

	it('escaped payloads: control characters and escape sequences are shown, never sent', async () => {
		const store = filledStore();
		const evil = '\u001B[2J\u001B]0;pwned\u0007\u001B[31mred\r\n\u009B1m';
		store.recordTopic('evil', evil);
		store.appendLog('sub evil', [`Event data: ${evil}`]);
		store.applySnapshot(snapshot({scheduled: [{id: '1', at: now + 1000, body: evil, attempts: 0}]}));
		const app = await renderDashboard({store});
		const raw = await app.waitForFrame((f) => f.includes('Event data:'), 'the evil line');
		const frame = app.lastFrame() ?? '';
		assert.ok(!frame.includes('\u001B[2J') && !frame.includes('\u0007') && !frame.includes('\u009B') && !frame.includes('\u001B]0;'), 'no raw control sequence reaches the terminal');
		assert.match(raw, /\\x1b\[2J\\x1b\]0;pwned\\x07/);
	});

	it('too small: one sentence, and the screen comes back on resize', async () => {
		const app = await renderDashboard({store: filledStore(), columns: 60, rows: 20});
		await app.waitForFrame((f) => f.replace(/\s+/g, ' ').includes('The terminal is too small for eda (60×20); make it at least 80×24'), 'too small');
		await app.resize(100, 30);
		const frame = await app.waitForFrame((f) => f.includes('1 Topics'), 'the panes');
		assert.equal(lines(frame).length, 29, 'never the last row');
		assert.ok(lines(frame).every((line) => line.length <= 100));
	});

	it('fits 80×24 without touching the last row, and follows a resize', async () => {
		const app = await renderDashboard({store: filledStore()});
		let frame = await app.waitForFrame((f) => f.includes('4 Log'), 'the panes');
		assert.equal(lines(frame).length, 23);
		assert.ok(lines(frame).every((line) => line.length <= 80), 'no line wider than 80');
		await app.resize(120, 40);
		frame = await app.waitForFrame((f) => lines(f).length === 39, '39 rows');
		assert.ok(lines(frame).some((line) => line.length === 120));
	});

	it('NO_COLOR: no colour codes at all, focus still marked', async () => {
		const level = chalk.level;
		chalk.level = 3;
		try {
			const colored = await renderDashboard({store: filledStore(), colorOn: true});
			await colored.waitForFrame((f) => f.includes('4 Log'), 'colour frame');
			assert.match(colored.lastFrame() ?? '', /\u001B\[3\dm|\u001B\[38;/, 'colour is on by default');
			cleanup();
			const plain = await renderDashboard({store: filledStore(), colorOn: false});
			await plain.waitForFrame((f) => f.includes('4 Log'), 'plain frame');
			const frame = plain.lastFrame() ?? '';
			assert.doesNotMatch(frame, /\u001B\[(3|4|9|10)\d(;\d+)*m|\u001B\[38;|\u001B\[48;/, 'no foreground or background colour');
			assert.match(plain.frame(), /╔═▶ 1 Topics ◀═/, 'focus: double border and markers');
			await plain.press('\t', (f) => f.includes('▶ 2 Queues ◀'), 'focus moves, still marked');
		} finally {
			chalk.level = level;
		}
	});

	it('outside its provider: says so instead of drawing an empty screen', async () => {
		// Our own boundary records what App threw: Ink's boundary draws the error and
		// unmounts at once, and under load the unmount could win before a frame was kept.
		const caught: Error[] = [];
		const app = render(
			<Catch onError={(error) => caught.push(error)}>
				<App />
			</Catch>,
		);
		const said = 'a dashboard component was drawn outside <DashboardContext.Provider>';
		const error = await waitFor(() => caught[0], 'the missing-provider error');
		assert.ok(error.message.includes(said), error.message);
		const frame = await waitFor(() => ((app.lastFrame() ?? '').includes('drawn outside') ? app.lastFrame() : undefined), 'the error drawn');
		assert.doesNotMatch(frame ?? '', /1 Topics/, 'no panes drawn');
	});
});

class Catch extends React.Component<{onError: (error: Error) => void; children: React.ReactNode}, {error?: Error}> {
	static getDerivedStateFromError(error: Error) {
		return {error};
	}

	override state: {error?: Error} = {};

	override componentDidCatch(error: Error) {
		this.props.onError(error);
	}

	override render() {
		return this.state.error ? <Text>{this.state.error.message}</Text> : this.props.children;
	}
}

describe('Log rows', () => {
	it('wrapped: wide characters and emoji are never split and every row fits the pane', () => {
		const inner = 40;
		const rows = lineRows({id: 1, at: now, actor: 'sub 漢字', text: `Event data: ${'漢字🚀'.repeat(20)} \x1b[2J`}, inner, true);
		assert.ok(rows.length > 1, 'wrapped');
		for (const row of rows) {
			assert.ok(stringWidth(row) <= inner, `${stringWidth(row)} cells: ${row}`);
			assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(row), `half an emoji: ${row}`);
		}
		// Every character kept, sanitized; continuation rows are indented by the head's cells.
		const start = rows[0]?.indexOf('Event') ?? 0;
		const indent = stringWidth(rows[0]?.slice(0, start) ?? '');
		assert.equal(rows.map((row, i) => (i === 0 ? row.slice(start) : row.slice(indent))).join(''), `Event data: ${'漢字🚀'.repeat(20)} \\x1b[2J`);
		const [cut] = lineRows({id: 2, at: now, actor: 'sub 漢字', text: '漢字🚀'.repeat(20)}, inner, false);
		assert.ok(stringWidth(cut ?? '') <= inner, `${stringWidth(cut ?? '')} cells: ${cut}`);
	});
});
