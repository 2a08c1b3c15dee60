// The Labs view with ink-testing-library (React.createElement keeps this a .ts file).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import React from 'react';
import type {CqrsSnapshot} from '../source/labs/cqrs/snapshot.js';
import type {DeferredLabSnapshot} from '../source/labs/deferred/snapshot.js';
import type {OrdersSnapshot} from '../source/labs/orders/snapshot.js';
import {LabPicker, LabsView} from '../source/labs/view/index.js';
import {swimlanes} from '../source/labs/view/orders-lines.js';

const now = 1_700_000_000_000;
const hostile = 'ord-\u001b[2J\u0007evil';

const orders: OrdersSnapshot = {
	lab: 'orders',
	title: 'Choreography: an order flow with no orchestrator',
	explanation: ['Nobody runs this flow.', 'Look at the swimlanes.'],
	now,
	url: 'http://127.0.0.1:3000',
	rate: 1,
	services: [
		{name: 'orders', paused: false, handled: 4, waiting: 0, listensTo: ['paymentDeclined']},
		{name: 'payments', paused: true, handled: 3, waiting: 2, failRate: 0.1, listensTo: ['orderCreated']},
		{name: 'inventory', paused: false, handled: 2, waiting: 0, failRate: 0.1, listensTo: ['paymentAuthorized']},
		{name: 'shipping', paused: false, handled: 1, waiting: 0, failRate: 0.1, listensTo: ['stockReserved']},
		{name: 'notifications', paused: false, handled: 2, waiting: 0, listensTo: ['orderShipped']},
	],
	counters: {created: 3, shipped: 1, cancelled: 1, open: 1, taken: 2000, refunded: 1000, reserved: 1, released: 0, notified: 2, violations: 0},
	orders: [
		{
			orderId: hostile,
			startedAt: now,
			terminal: 'cancelled',
			terminals: 1,
			taken: 1000,
			refunded: 1000,
			durationMs: 40,
			events: [
				{id: 'a', entryId: '1-0', type: 'orderCreated', lane: 'orders', at: now, offsetMs: 0, source: 's'},
				{id: 'b', entryId: '1-1', type: 'paymentAuthorized', lane: 'payments', at: now, offsetMs: 1, source: 's', causationid: 'a', answers: 'orderCreated'},
				{id: 'c', entryId: '1-2', type: 'outOfStock', lane: 'inventory', at: now, offsetMs: 2, source: 's', causationid: 'b', answers: 'paymentAuthorized'},
				{id: 'd', entryId: '1-3', type: 'paymentRefunded', lane: 'payments', at: now, offsetMs: 3, source: 's', causationid: 'c', answers: 'outOfStock'},
				{id: 'e', entryId: '1-4', type: 'orderCancelled', lane: 'orders', at: now, offsetMs: 4, source: 's', causationid: 'd', answers: 'paymentRefunded'},
			],
		},
	],
	actions: [{key: '+', label: 'more orders/s'}, {key: 'P', label: 'pause/resume payments'}],
};

const cqrs: CqrsSnapshot = {
	lab: 'cqrs',
	title: 'Eventual consistency and CQRS',
	explanation: ['Writes and reads take different roads.'],
	now,
	rate: 1,
	projectionDelayMs: 2000,
	lag: {count: 2, ms: 1500},
	entities: [
		{orderId: 'ord-1', status: 'paid', customer: 'ada', total: 2500, writeVersion: 2, readVersion: 1, stale: true, staleForMs: 1500},
		{orderId: 'ord-2', status: 'placed', customer: 'bob', total: 1250, writeVersion: 1, readVersion: 1, stale: false, convergeMs: 2003},
	],
	counters: {commands: 4, rejected: 1, events: 3, applied: 2, skipped: 0, duplicates: 0},
	replicas: [{name: 'replica-1', handled: 1}, {name: 'replica-2', handled: 1}],
	mistakes: {eventsSinceStart: 3, noGroup: [{name: 'copy-1', handled: 3}, {name: 'copy-2', handled: 3}], sharedGroup: [{name: 'projector', handled: 2}, {name: 'mailer', handled: 1}]},
	probe: {visibleAfterMs: 2012, staleReads: 40, firstRead: '404', orderId: 'ord-3', version: 1, at: now},
	probing: false,
	actions: [{key: '+', label: 'add a query replica'}],
};

const deferred: DeferredLabSnapshot = {
	lab: 'deferred',
	title: 'Deferred execution: countdowns, then the drain',
	explanation: ['A burst of tasks is posted.'],
	now,
	mode: 'slow',
	masterPaused: false,
	counts: {scheduled: 2, ready: 5, inflight: 1, dead: 0},
	scheduled: [{id: '41', body: '{"task":\u001b]0;title\u0007}', due: now + 3000}, {id: '42', body: '{}', due: now - 2000}],
	workers: [{name: 'worker:h:1:ab', intervalMs: 10_000, paused: false, nextPollAt: now + 7000, inFlight: 0, handled: 3}],
	bursts: [{number: 1, size: 12, mode: 'slow', workers: 1, postedAt: now - 9000, lastDue: now - 1000, done: 3}],
	oldestReadyMs: 4000,
	actions: [{key: 'w', label: 'one slow worker / four fast'}],
};

function frameOf(element: React.ReactElement): string[] {
	const view = render(element);
	const frame = view.lastFrame() ?? '';
	view.unmount();
	return frame.split('\n');
}

const visibleLength = (line: string) => line.replace(/\u001b\[[0-9;]*m/g, '').length;

for (const [name, snapshot, expected] of [
	['orders', orders, ['payments', 'PAUSED', 'refunded', 'cancelled']],
	['cqrs', cqrs, ['STALE', 'stale for 1.5s', 'own groups', 'each saw all 3', 'visible after 2s', 'lag 2 event(s)']],
	['deferred', deferred, ['one worker, a task every 10s', 'next poll in 7s', 'overdue 2s', 'burst 1']],
] as const) {
	test(`the ${name} lab fits 80×20 and shows what to look at`, () => {
		const lines = frameOf(React.createElement(LabsView, {snapshot, width: 80, height: 20, colorOn: false}));
		assert.ok(lines.length <= 20, `${lines.length} lines`);
		for (const line of lines) assert.ok(visibleLength(line) <= 80, `too wide: ${line}`);
		const text = lines.join('\n');
		for (const word of expected) assert.ok(text.includes(word), `missing "${word}" in\n${text}`);
		// Network text can never drive the terminal.
		assert.ok(!/[\u0007]|\u001b\[2J|\u001b\]0;/.test(text), 'a control sequence reached the screen');
	});
}

test('payload escapes are shown, not obeyed', () => {
	const text = frameOf(React.createElement(LabsView, {snapshot: orders, width: 100, height: 30, colorOn: false})).join('\n');
	assert.ok(text.includes('ord-\\x1b[2J\\x07evil'));
});

test('wide terminals get the explanation beside the lab; e shows it whole', () => {
	const wide = frameOf(React.createElement(LabsView, {snapshot: orders, width: 140, height: 24})).join('\n');
	assert.ok(wide.includes('Nobody runs this flow.') && wide.includes('payments'));
	const explain = frameOf(React.createElement(LabsView, {snapshot: cqrs, width: 80, height: 20, explain: true})).join('\n');
	assert.ok(explain.includes('Writes and reads take different roads.'));
	assert.ok(!explain.includes('STALE'));
});

test('without colour the state still reads (STALE, PAUSED, the selection marker)', () => {
	const text = frameOf(React.createElement(LabsView, {snapshot: cqrs, width: 80, height: 20, colorOn: false})).join('\n');
	assert.ok(!/\u001b\[3[0-9]m/.test(text), 'a colour escape despite colorOn false');
	assert.ok(text.includes('STALE'));
	const picker = frameOf(React.createElement(LabPicker, {width: 80, height: 6, selected: 'cqrs', colorOn: false})).join('\n');
	assert.ok(picker.includes('› cqrs'));
	assert.ok(picker.includes('orders') && picker.includes('deferred'));
});

test('a long chain at 80 columns: each event name runs on over the empty cells of its lane, never into the next event', () => {
	const types = ['orderCreated', 'paymentAuthorized', 'stockReserved', 'shipmentFailed', 'stockReleased', 'paymentRefunded', 'orderCancelled', 'customerNotified'];
	const lanes = ['orders', 'payments', 'inventory', 'shipping', 'inventory', 'payments', 'orders', 'notifications'] as const;
	const order = {
		orderId: 'ord-long',
		startedAt: now,
		terminal: 'cancelled' as const,
		terminals: 1,
		taken: 5000,
		refunded: 5000,
		durationMs: 4,
		events: types.map((type, i) => ({id: `e${i}`, entryId: `1-${i}`, type, lane: lanes[i] ?? 'orders', at: now, offsetMs: i, source: 's'})),
	};
	const lines = swimlanes(order, 80).map((line) => line.text);
	for (const line of lines) assert.ok(line.length <= 80, `too wide: ${line}`);
	const text = lines.join('\n');
	for (const name of ['●created', '●authorized', '●reserved', '✕shipFailed', '↺released', '↺refunded', '↺cancelled', '●notified']) assert.ok(text.includes(name), `"${name}" whole in\n${text}`);
});
