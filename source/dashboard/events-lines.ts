// The Events view's text, pure: an event's envelope with its payload
// pretty-printed and split into coloured pieces (JSON) or shown with invisible
// bytes made visible (anything else), matches of a filter cut out for
// highlighting, a trace's lines, a group's lines, a deferred event's. Every
// piece of network text goes through sanitize here; components only colour.
import {jsonPayload, storedTime} from '../browser/format.js';
import type {StoredEvent} from '../browser/events.js';
import type {GroupDetail} from '../browser/groups.js';
import type {TraceRow} from '../browser/trace.js';
import type {EventView} from '../deferred/inspect.js';
import {attributesOf} from '../topics/envelope.js';
import {duration, hardWrap, sanitize} from '../text/index.js';

export type PieceKind = 'key' | 'string' | 'number' | 'literal' | 'punct' | 'label' | 'plain' | 'match';
export type Piece = {text: string; kind: PieceKind};
export type Line = Piece[];

const token = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],:])/g;

/** One line of pretty JSON in pieces: keys, strings, numbers, literals, punctuation. */
export function jsonPieces(line: string): Line {
	const pieces: Line = [];
	let at = 0;
	for (const found of line.matchAll(token)) {
		const index = found.index ?? 0;
		if (index > at) pieces.push({text: line.slice(at, index), kind: 'plain'});
		if (found[1] !== undefined) {
			pieces.push({text: sanitize(found[1]), kind: found[2] === undefined ? 'string' : 'key'});
			if (found[2] !== undefined) pieces.push({text: found[2], kind: 'punct'});
		} else if (found[3] !== undefined) pieces.push({text: found[3], kind: 'number'});
		else if (found[4] !== undefined) pieces.push({text: found[4], kind: 'literal'});
		else pieces.push({text: found[5] ?? '', kind: 'punct'});
		at = index + found[0].length;
	}
	if (at < line.length) pieces.push({text: line.slice(at), kind: 'plain'});
	return pieces;
}

/** Wraps a line of pieces at `width` cells, keeping each piece's kind. */
function wrapPieces(line: Line, width: number): Line[] {
	const out: Line[] = [[]];
	let used = 0;
	for (const piece of line) {
		let rest = piece.text;
		while (rest.length > 0) {
			const room = Math.max(1, width - used);
			const [head = ''] = hardWrap(rest, room);
			(out.at(-1) as Line).push({text: head, kind: piece.kind});
			used += head.length;
			rest = rest.slice(head.length);
			if (rest.length > 0 || used >= width) {
				out.push([]);
				used = 0;
			}
		}
	}
	if (out.length > 1 && (out.at(-1) as Line).length === 0) out.pop();
	return out;
}

/** The whole envelope: attributes one a line, then the payload (pretty JSON, or text with invisible bytes visible). */
export function envelopeLines(event: StoredEvent, width: number): Line[] {
	const lines: Line[] = [];
	const label = (name: string, value: string) => lines.push(...wrapPieces([{text: `${name}: `, kind: 'label'}, {text: sanitize(value), kind: 'plain'}], width));
	label('topic', event.topic);
	label('entry', `${event.entryId} (stored ${storedTime(event)})`);
	for (const [name, value] of Object.entries(attributesOf(event.envelope))) label(name, value);
	const json = jsonPayload(event);
	lines.push([{text: json ? 'data (JSON):' : `data (${event.envelope.datacontenttype || 'text'}, invisible bytes shown):`, kind: 'label'}]);
	if (json) {
		for (const text of JSON.stringify(json.value, null, 2).split('\n')) lines.push(...wrapPieces(jsonPieces(text), width));
	} else {
		for (const text of event.envelope.data.split('\n')) lines.push(...wrapPieces([{text: sanitize(text), kind: 'plain'}], width));
	}
	return lines;
}

/** Cuts `text` (sanitised) into plain and matching pieces for the given terms, case-insensitively. */
export function highlight(text: string, terms: string[]): Line {
	const safe = sanitize(text);
	const wanted = terms.map((t) => sanitize(t).toLowerCase()).filter((t) => t !== '');
	if (wanted.length === 0) return [{text: safe, kind: 'plain'}];
	const lower = safe.toLowerCase();
	const pieces: Line = [];
	let at = 0;
	while (at < safe.length) {
		let best = -1;
		let size = 0;
		for (const term of wanted) {
			const found = lower.indexOf(term, at);
			if (found !== -1 && (best === -1 || found < best)) {
				best = found;
				size = term.length;
			}
		}
		if (best === -1) break;
		if (best > at) pieces.push({text: safe.slice(at, best), kind: 'plain'});
		pieces.push({text: safe.slice(best, best + size), kind: 'match'});
		at = best + size;
	}
	if (at < safe.length) pieces.push({text: safe.slice(at), kind: 'plain'});
	return pieces;
}

/** A stored time as the list shows it: HH:MM:SS.mmm (UTC). */
export const clock = (ms: number) => new Date(ms).toISOString().slice(11, 23);

/** One line of a trace: tree branch, time since its cause, time, topic, id, source. */
export function traceText(row: TraceRow): string {
	const {event} = row;
	const branch = row.depth === 0 ? '' : `${'   '.repeat(row.depth - 1)}└─ `;
	const after = row.gapMs === undefined ? '' : `+${duration(row.gapMs)} `;
	const missing = row.causeMissing ? ` (cause ${event.envelope.causationid} not retained)` : '';
	return sanitize(`${branch}${after}${clock(event.ms)} ${event.topic} id=${event.envelope.id} source=${event.envelope.source}${missing}`);
}

/** A group in lines: its figures, its consumers, its pending entries. */
export function groupLines(group: GroupDetail): string[] {
	const lines = [sanitize(`${group.name}: ${group.consumers} consumer(s), pending ${group.pending}, lag ${group.lag ?? '?'}, last delivered ${group.lastDelivered}`)];
	for (const member of group.members) lines.push(sanitize(`   consumer ${member.name}: pending ${member.pending}, idle ${duration(member.idleMs)}`));
	for (const entry of group.pendingEntries) lines.push(sanitize(`   pending ${entry.entryId} held by ${entry.consumer}, idle ${duration(entry.idleMs)}, delivered ${entry.deliveries}x`));
	if (group.pending > group.pendingEntries.length) lines.push(`   … and ${group.pending - group.pendingEntries.length} more pending`);
	return lines;
}

const when = (ms: number | undefined) => (ms === undefined ? '—' : new Date(ms).toISOString());

/** A deferred event whole: state, attempts, times, last error, body. */
export function deferredLines(event: EventView, width: number): Line[] {
	const lines: Line[] = [];
	const label = (name: string, value: string) => lines.push(...wrapPieces([{text: `${name}: `, kind: 'label'}, {text: sanitize(value), kind: 'plain'}], width));
	label('id', `#${event.id}`);
	label('state', event.state);
	label('attempts', String(event.attempts));
	if (event.due !== undefined) label('due', when(event.due));
	if (event.failedAt !== undefined) label('last failed', when(event.failedAt));
	if (event.diedAt !== undefined) label('died', when(event.diedAt));
	if (event.source !== undefined) label('source', event.source);
	label('last error', event.lastError ?? '—');
	lines.push([{text: 'body:', kind: 'label'}]);
	let parsed: {value: unknown} | undefined;
	try {
		parsed = {value: JSON.parse(event.body)};
	} catch {
		parsed = undefined;
	}
	if (parsed) for (const text of JSON.stringify(parsed.value, null, 2).split('\n')) lines.push(...wrapPieces(jsonPieces(text), width));
	else for (const text of event.body.split('\n')) lines.push(...wrapPieces([{text: sanitize(text), kind: 'plain'}], width));
	return lines;
}
