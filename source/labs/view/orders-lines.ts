// The Orders lab on screen: services with what waits for each, totals, and
// each order's chain as swimlanes (one row per service, time left to right).
import {services} from '../orders/flow.js';
import type {OrderTimeline, OrdersSnapshot} from '../orders/snapshot.js';
import {cut, duration, money, pad, padStart} from '../../text/index.js';
import type {Line} from './LabLines.js';

/** Short names for events in a lane cell. */
const short: Record<string, string> = {
	orderCreated: 'created',
	paymentAuthorized: 'authorized',
	paymentDeclined: 'declined',
	stockReserved: 'reserved',
	outOfStock: 'outOfStock',
	orderShipped: 'shipped',
	shipmentFailed: 'shipFailed',
	paymentRefunded: 'refunded',
	stockReleased: 'released',
	orderCancelled: 'cancelled',
	customerNotified: 'notified',
};
const failing = new Set(['paymentDeclined', 'outOfStock', 'shipmentFailed']);
const compensating = new Set(['paymentRefunded', 'stockReleased', 'orderCancelled']);

function state(order: OrderTimeline): string {
	if (order.terminals > 1) return `✕✕ ended ${order.terminals} times`;
	if (order.terminal === 'shipped') return `✓ shipped in ${duration(order.durationMs ?? 0)}`;
	if (order.terminal === 'cancelled') {
		const refund = order.taken === 0 ? 'nothing was taken' : `refunded ${money(order.refunded)} of ${money(order.taken)}`;
		return `✕ cancelled in ${duration(order.durationMs ?? 0)}, ${refund}`;
	}
	const last = order.events.at(-1);
	return `… open, last ${short[last?.type ?? ''] ?? last?.type ?? ''}`;
}

/** One order as swimlanes: a row per service, each event in its own column. */
export function swimlanes(order: OrderTimeline, width: number): Line[] {
	const label = 14;
	const columns = Math.max(1, order.events.length);
	const cell = Math.max(4, Math.floor((width - label) / columns));
	const lines: Line[] = [{text: cut(`${order.orderId}  ${state(order)}`, width), bold: true, color: order.terminal === 'shipped' ? 'green' : order.terminal === 'cancelled' ? 'red' : 'yellow'}];
	for (const lane of [...services, 'other'] as const) {
		const events = order.events.map((e, i) => ({e, i})).filter(({e}) => e.lane === lane);
		if (lane === 'other' && events.length === 0) continue;
		let row = pad(lane, label);
		events.forEach(({e, i}, k) => {
			const at = label + i * cell;
			const mark = failing.has(e.type) ? '✕' : compensating.has(e.type) ? '↺' : '●';
			// A name may run on over the empty cells up to the lane's next event (or the row's end).
			const next = events[k + 1];
			const room = next ? (next.i - i) * cell - 1 : Math.max(cell - 1, width - at);
			row = pad(row, at) + cut(`${mark}${short[e.type] ?? e.type}`, room);
		});
		lines.push({text: cut(row, width), ...(events.length === 0 ? {dim: true} : {})});
	}
	return lines;
}

export function ordersLines(s: OrdersSnapshot, width: number, height: number): Line[] {
	const c = s.counters;
	const lines: Line[] = [
		{text: cut(`orders ${s.rate}/s · ${c.created} created · ${c.shipped} shipped · ${c.cancelled} cancelled · ${c.open} open`, width), bold: true},
		{
			text: cut(`money taken ${money(c.taken)} · refunded ${money(c.refunded)} · kept ${money(c.taken - c.refunded)} · stock reserved ${c.reserved} released ${c.released}${c.violations > 0 ? ` · ${c.violations} DOUBLE ENDINGS` : ''}`, width),
			...(c.violations > 0 ? {color: 'red'} : {}),
		},
		{text: cut(`${pad('service', 14)}${padStart('waiting', 8)}${padStart('handled', 9)}${padStart('fails', 7)}  listens to`, width), dim: true},
	];
	for (const row of s.services) {
		const text = `${pad(row.name, 14)}${padStart(String(row.waiting), 8)}${padStart(String(row.handled), 9)}${padStart(row.failRate === undefined ? '-' : `${Math.round(row.failRate * 100)}%`, 7)}  ${row.paused ? '⏸ PAUSED · ' : ''}${row.listensTo.join(', ')}`;
		lines.push({text: cut(text, width), ...(row.paused ? {color: 'yellow', bold: true} : {})});
	}
	let room = height - lines.length;
	const orders = s.orders;
	orders.forEach((order, i) => {
		const lanes = swimlanes(order, width);
		// Swimlanes while they fit (the newest first), the rest as one line each.
		const gap = i === 0 ? 0 : 1;
		if (room >= lanes.length + gap + (i === 0 ? 0 : 1)) {
			if (gap) lines.push({text: ''});
			lines.push(...lanes);
			room -= lanes.length + gap;
		} else if (room >= 1) {
			lines.push({text: cut(`${order.orderId}  ${state(order)}`, width), dim: order.terminal !== undefined});
			room -= 1;
		}
	});
	if (orders.length === 0 && room > 0) lines.push({text: cut('No orders yet: they start at the order rate, or POST /orders.', width), dim: true});
	return lines.slice(0, height);
}
