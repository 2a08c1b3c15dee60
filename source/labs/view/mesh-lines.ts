// The mesh lab on screen: the three brokers and what each wants, each link
// direction with its state and backlog (growing while cut, draining after),
// per consumer the events expected, read and read twice, and the route the
// last events took. States are words (up, DOWN, STOPPED, cut) so they read
// without colour.
import type {MeshLabSnapshot} from '../mesh/snapshot.js';
import {count, cut, duration, pad, padStart} from '../../text/index.js';
import type {Line} from './LabLines.js';

export function meshLines(s: MeshLabSnapshot, width: number, height: number): Line[] {
	const lines: Line[] = [{text: cut(`shop → ${s.topic} on east: ${count(s.published)} published${s.cut ? ` · link ${s.cut} CUT` : ''}`, width), bold: true}];
	for (const broker of s.brokers) {
		const wants = broker.interest.length > 0 ? `group ${broker.interest.join(', ')}` : broker.name === 'east' ? 'the producer' : 'no interest';
		lines.push({text: cut(`  ${pad(broker.name, 5)} ${pad(broker.stopped ? 'STOPPED' : 'running', 8)} ${pad(wants, 24)} ${broker.url}`, width), ...(broker.stopped ? {color: 'red'} : {})});
	}
	lines.push({text: cut(`  ${pad('link', 10)} ${pad('state', 6)} ${padStart('backlog', 8)} ${padStart('/s', 6)} ${padStart('latency', 8)} ${padStart('forwarded', 10)} ${padStart('twice', 6)}`, width), dim: true});
	for (const link of s.links) {
		const color = link.state === 'down' ? 'red' : link.backlog > 0 ? 'yellow' : undefined;
		lines.push({text: cut(`  ${pad(link.link, 10)} ${pad(link.state === 'up' ? 'up' : 'DOWN', 6)} ${padStart(count(link.backlog), 8)} ${padStart(String(link.rate), 6)} ${padStart(link.latencyMs < 0 ? '-' : duration(link.latencyMs), 8)} ${padStart(count(link.forwarded), 10)} ${padStart(count(link.duplicates), 6)}${link.reason ? `  ${link.reason}` : ''}`, width), ...(color ? {color} : {})});
	}
	lines.push({text: cut('Consumers: every event expected there, read once (twice is always 0)', width), dim: true});
	for (const c of s.consumers) {
		const state = c.on ? '' : ' (removed: g adds it back)';
		const color = c.doubled > 0 ? 'red' : c.waiting > 0 ? 'yellow' : 'green';
		lines.push({text: cut(`  ${pad(`${c.group} on ${c.broker}`, 17)} expected ${count(c.expected)} · read ${count(c.received)} · twice ${c.doubled} · waiting ${count(c.waiting)}${state}`, width), color});
		if (c.lastRoute) lines.push({text: cut(`     last route ${c.lastRoute}`, width), dim: true});
	}
	if (s.routes.length > 0) lines.push({text: cut('Routes taken, newest first', width), dim: true});
	for (const route of s.routes) {
		if (lines.length >= height) break;
		lines.push({text: cut(`  ${route.id.slice(0, 8)} ${pad(route.path, 18)} → ${route.at}`, width)});
	}
	return lines.slice(0, height);
}
