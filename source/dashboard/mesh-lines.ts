// What the Mesh view draws, as plain lines: the brokers (each one's own
// interest, and whether it answers), every link direction with its state,
// rate, backlog, latency, idle time and totals, and per topic where its
// interest is. States are words (up, DOWN, no bridge), so they read without
// colour; a tone only adds colour. Names come from the brokers: the view cuts
// and pads them (text/, which sanitises), nothing here writes to the terminal.
import type {MeshState} from './store/mesh.js';
import {count, cut, duration, pad, padStart} from '../text/index.js';

export type Tone = 'good' | 'bad' | 'warn' | 'title' | undefined;

export type MeshLine = {key: string; text: string; tone?: Tone; bold?: boolean};

const ms = (value: number) => (value < 0 ? '-' : duration(value));

const linkHeader = (width: number) =>
	`  ${pad('link', 16)} ${pad('state', 14)} ${padStart('rate/s', 7)} ${padStart('backlog', 8)} ${padStart('latency', 8)} ${padStart('idle', 6)} ${padStart('forwarded', 10)} ${padStart('dup', 5)} ${padStart('dropped', 8)}`.slice(0, width);

/** The view's lines, in order; the screen shows as many as fit. */
export function meshLines(mesh: MeshState, width: number): MeshLine[] {
	const lines: MeshLine[] = [];
	const down = mesh.links.filter((l) => l.state !== 'up').length;
	lines.push({
		key: 'title',
		tone: 'title',
		bold: true,
		text: cut(`Event mesh: ${mesh.brokers.length} broker${mesh.brokers.length === 1 ? '' : 's'}, ${mesh.links.length} link direction${mesh.links.length === 1 ? '' : 's'}${down ? ` (${down} not up)` : ''}${mesh.seenFrom ? ` · read from ${mesh.seenFrom}` : ''}`, width),
	});
	if (mesh.error) lines.push({key: 'error', tone: 'bad', text: `✗ ${cut(mesh.error, width - 2)}`});
	if (!mesh.loaded) {
		lines.push({key: 'reading', text: 'Reading the mesh…'});
		return lines;
	}
	if (mesh.links.length === 0 && mesh.brokers.length === 0) {
		lines.push({key: 'empty', text: cut('No mesh figures on this broker: is eda mesh running over it? (eda mesh --broker name=redis://… --link a-b)', width)});
		return lines;
	}
	lines.push({key: 'brokers', bold: true, text: 'Brokers'});
	for (const broker of mesh.brokers) {
		const answer = broker.answers === undefined ? '' : broker.answers ? 'answers' : 'NO ANSWER';
		const interest = broker.interest.length > 0 ? `wants ${broker.interest.join(', ')}` : 'wants nothing';
		lines.push({
			key: `broker ${broker.name}`,
			tone: broker.answers === false ? 'bad' : undefined,
			text: cut(`  ${pad(broker.name, 12)} ${broker.url ? `${pad(broker.url, 28)} ` : ''}${answer ? `${pad(answer, 10)} ` : ''}${interest}`, width),
		});
	}
	lines.push({key: 'links', bold: true, text: linkHeader(width)});
	for (const link of mesh.links) {
		const state = link.state === 'stale' ? `no bridge ${ms(link.forMs)}` : `${link.state === 'up' ? 'up' : 'DOWN'} ${ms(link.forMs)}`;
		const shared = link.processes > 1 ? ` (${link.processes} processes)` : '';
		lines.push({
			key: `link ${link.link}`,
			tone: link.state === 'up' ? (link.backlog > 0 ? 'warn' : 'good') : 'bad',
			text: cut(
				`  ${pad(link.link, 16)} ${pad(state, 14)} ${padStart(String(link.rate), 7)} ${padStart(count(link.backlog), 8)} ${padStart(ms(link.latencyMs), 8)} ${padStart(ms(link.idleMs), 6)} ${padStart(count(link.forwarded), 10)} ${padStart(count(link.duplicates), 5)} ${padStart(count(link.dropped), 8)}${shared}`,
				width,
			),
		});
		if (link.reason) lines.push({key: `reason ${link.link}`, tone: 'bad', text: cut(`      ${link.reason}`, width)});
	}
	lines.push({key: 'interest', bold: true, text: cut(`Interest (topic: broker with interest, hops from ${mesh.seenFrom ?? 'the broker read'}, next hop)`, width)});
	if (mesh.interest.length === 0) lines.push({key: 'no interest', text: '  none: no broker has a consumer group, subscriber or declared pattern that the mesh carries'});
	for (const row of mesh.interest) {
		const where = row.where.map(({broker, dist, via}) => (dist === 0 ? `${broker} (here)` : `${broker} ${dist} hop${dist === 1 ? '' : 's'} via ${via}`));
		lines.push({key: `interest ${row.interest}`, text: cut(`  ${row.interest}: ${where.join(', ')}`, width)});
	}
	return lines;
}
