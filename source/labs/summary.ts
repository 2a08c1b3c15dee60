// One line that sums up a lab's snapshot, printed every few seconds headless.
import type {LabSnapshot} from './lab.js';
import {duration, money, sanitize} from '../text/index.js';

export function summaryLine(snapshot: LabSnapshot): string {
	switch (snapshot.lab) {
		case 'orders': {
			const c = snapshot.counters;
			const waiting = snapshot.services.map((s) => `${s.name} ${s.waiting}${s.paused ? ' (paused)' : ''}`).join(', ');
			return `[orders] ${c.created} created, ${c.shipped} shipped, ${c.cancelled} cancelled, ${c.open} open; taken ${money(c.taken)}, refunded ${money(c.refunded)}; waiting: ${waiting}`;
		}
		case 'cqrs': {
			const stale = snapshot.entities.filter((e) => e.stale).length;
			const m = snapshot.mistakes;
			const list = (rows: {name: string; handled: number}[]) => rows.map((r) => `${r.name} ${r.handled}`).join(', ') || 'none';
			return `[cqrs] ${snapshot.counters.events} events, lag ${snapshot.lag.count} (${duration(snapshot.lag.ms)}), ${stale} stale of ${snapshot.entities.length} shown; replicas: ${list(snapshot.replicas)}; own groups (each sees all ${m.eventsSinceStart}): ${list(m.noGroup)}; one group, two handlers: ${list(m.sharedGroup)}`;
		}
		case 'deferred': {
			const c = snapshot.counts;
			const bursts = snapshot.bursts.map((b) => `#${b.number} ${b.done}/${b.size}${b.drainMs !== undefined ? ` drained in ${duration(b.drainMs)}` : ''}`).join(', ');
			return `[deferred] ${snapshot.mode === 'slow' ? '1 slow worker' : `${snapshot.workers.length} fast workers`}; scheduled ${c.scheduled}, ready ${c.ready}, in flight ${c.inflight}, dead ${c.dead}; bursts: ${bursts}`;
		}
		case 'portal': {
			const latest = snapshot.versions.at(-1);
			const breaks = latest && latest.breaks.length > 0 ? ` breaking ${latest.breaks.map((d) => d.toUpperCase()).join(', ')}` : '';
			const declared = snapshot.declared ? `declared v${snapshot.declared.version} ${snapshot.declared.mode}` : 'nothing declared';
			return `[portal] shape ${snapshot.shape}; posted ${snapshot.sent}, stored ${snapshot.stored}, refused ${snapshot.refused}; inferred v${latest?.version ?? 0}${breaks}; ${declared}; group read ${snapshot.consumer.read}, ${snapshot.consumer.missingAmount} without amount${snapshot.lastRefusal ? `; last ${sanitize(snapshot.lastRefusal)}` : ''}`;
		}
		case 'mesh': {
			const consumers = snapshot.consumers.map((c) => `${c.group} on ${c.broker}${c.on ? '' : ' (removed)'} expected ${c.expected}, read ${c.received}, twice ${c.doubled}, waiting ${c.waiting}`).join('; ');
			const backlog = snapshot.links.filter((l) => l.backlog > 0 || l.state === 'down').map((l) => `${l.link} ${l.state} backlog ${l.backlog}`).join(', ');
			return `[mesh] published ${snapshot.published} on east${snapshot.cut ? `; ${snapshot.cut} cut` : ''}; ${consumers}${backlog ? `; ${backlog}` : ''}`;
		}
	}
}
