// The Deferred lab on screen: stage counts, the countdowns, each worker's next
// poll, and how long each burst took to drain.
import type {DeferredLabSnapshot} from '../deferred/snapshot.js';
import {bar, countdown, cut, duration, pad, padStart} from '../../text/index.js';
import type {Line} from './LabLines.js';

export function deferredLines(s: DeferredLabSnapshot, width: number, height: number): Line[] {
	const mode = s.mode === 'slow' ? `one worker, a task every ${duration(s.workers[0]?.intervalMs ?? 0)}` : `${s.workers.length} workers at full speed`;
	const lines: Line[] = [{text: cut(`${mode}${s.masterPaused ? ' · MASTER PAUSED' : ''}`, width), bold: true, ...(s.masterPaused ? {color: 'yellow'} : {})}];
	const c = s.counts;
	const max = Math.max(1, c.scheduled, c.ready, c.inflight, c.dead);
	const barWidth = Math.max(0, Math.min(30, width - 24));
	for (const [name, value] of [['scheduled', c.scheduled], ['ready', c.ready], ['in flight', c.inflight], ['dead', c.dead]] as const) {
		const extra = name === 'ready' && s.oldestReadyMs !== undefined ? ` oldest waits ${duration(s.oldestReadyMs)}` : '';
		lines.push({text: cut(`${pad(name, 10)}${padStart(String(value), 5)} ${bar(value, max, barWidth)}${extra}`, width)});
	}
	for (const w of s.workers) {
		const next = w.nextPollAt === undefined ? (w.inFlight > 0 ? 'busy' : 'polling') : `next poll ${countdown(w.nextPollAt, s.now)}`;
		lines.push({text: cut(`${pad(w.name, 28)} ${pad(next, 18)} ${w.handled} done${w.paused ? ' · paused' : ''}`, width), dim: true});
	}
	for (const b of s.bursts.slice(-3)) {
		const state = b.drainMs !== undefined ? `drained ${duration(b.drainMs)} after the last fell due` : `${b.done}/${b.size} done`;
		lines.push({text: cut(`burst ${b.number} (${b.mode === 'slow' ? '1 slow worker' : `${b.workers} fast`}): ${state}`, width), ...(b.drainMs !== undefined ? {color: 'green'} : {})});
	}
	const room = height - lines.length;
	if (room > 1 && s.scheduled.length > 0) {
		lines.push({text: cut('countdowns', width), dim: true});
		for (const t of s.scheduled.slice(0, room - 1)) {
			lines.push({text: cut(`${pad(t.id, 8)} ${pad(countdown(t.due, s.now), 14)} ${t.body}`, width), ...(t.due < s.now ? {color: 'yellow'} : {})});
		}
	}
	return lines.slice(0, height);
}
