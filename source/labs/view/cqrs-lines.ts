// The CQRS lab on screen: lag, the entity table (write vs read version, STALE),
// the probe, and the query side's right way beside the two mistakes.
import type {CqrsSnapshot, ReplicaRow} from '../cqrs/snapshot.js';
import {cut, duration, money, pad, padStart} from '../../text/index.js';
import type {Line} from './LabLines.js';

function column(title: string, rows: ReplicaRow[], verdict: string, width: number): string[] {
	return [pad(title, width), ...rows.map((r) => pad(`  ${r.name} ${r.handled}`, width)), pad(verdict, width)];
}

export function cqrsLines(s: CqrsSnapshot, width: number, height: number): Line[] {
	const lines: Line[] = [
		{
			text: cut(`commands ${s.rate}/s · ${s.counters.events} events · ${s.counters.rejected} refused · projection delay ${duration(s.projectionDelayMs)} · lag ${s.lag.count} event(s), ${duration(s.lag.ms)}`, width),
			bold: true,
			...(s.lag.count > 0 ? {color: 'yellow'} : {}),
		},
	];
	const probe = s.probing
		? 'read-your-writes: probing…'
		: s.probe
			? `read-your-writes: visible after ${duration(s.probe.visibleAfterMs)} (first GET ${s.probe.firstRead}, ${s.probe.staleReads} stale read(s))`
			: 'read-your-writes: not probed yet (r)';
	lines.push({text: cut(probe, width)});

	// The side-by-side comparison takes a fixed block at the bottom.
	const third = Math.floor(width / 3);
	const total = s.replicas.reduce((sum, r) => sum + r.handled, 0);
	const m = s.mistakes;
	const left = column('one group (right)', s.replicas, `  = ${total} handled once each`, third);
	const middle = column('own groups (mistake)', m.noGroup, `  each saw all ${m.eventsSinceStart}`, third);
	const right = column('2 handlers, 1 group (mistake)', m.sharedGroup, `  each saw ~half of ${m.eventsSinceStart}`, width - 2 * third);
	const rows = Math.max(left.length, middle.length, right.length);
	const block: Line[] = [];
	for (let i = 0; i < rows; i++) {
		block.push({text: cut(`${left[i] ?? pad('', third)}${middle[i] ?? pad('', third)}${right[i] ?? ''}`, width), ...(i === 0 ? {bold: true} : {})});
	}

	lines.push({text: cut(`${pad('order', 22)}${pad('status', 10)}${padStart('W', 3)}${padStart('R', 4)}  ${pad('', 6)} ${pad('', 18)} total`, width), dim: true});
	const room = Math.max(0, height - lines.length - block.length - 1);
	for (const e of s.entities.slice(0, room)) {
		const when = e.stale ? `stale for ${duration(e.staleForMs ?? 0)}` : e.convergeMs !== undefined ? `converged in ${duration(e.convergeMs)}` : '';
		const text = `${pad(e.orderId, 22)}${pad(e.status, 10)}${padStart(String(e.writeVersion), 3)}${padStart(String(e.readVersion), 4)}  ${pad(e.stale ? 'STALE' : 'ok', 6)} ${pad(when, 18)} ${money(e.total)}`;
		lines.push({text: cut(text, width), ...(e.stale ? {color: 'yellow', bold: true} : {})});
	}
	if (s.entities.length === 0) lines.push({text: cut('No orders yet: commands start at the rate, or POST /commands/placeOrder.', width), dim: true});
	const filler = Math.max(0, height - lines.length - block.length);
	for (let i = 0; i < filler && i < 1; i++) lines.push({text: ''});
	return [...lines, ...block].slice(0, height);
}
