// How an event is written for people and for programs, the same for every
// browsing command: one sanitised line, or one JSON envelope a line.
import {attributesOf} from '../topics/envelope.js';
import {duration, safeJson, sanitize} from '../text/index.js';
import type {StoredEvent} from './events.js';
import type {TraceRow} from './trace.js';

/** The stored time of an event (Redis's, from its entry id), ISO with ms. */
export const storedTime = (event: StoredEvent) => new Date(event.ms).toISOString();

/** JSON media types take their data as JSON; others as text. */
function isJson(contentType: string): boolean {
	const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
	return type === '' || type === 'application/json' || type.endsWith('+json');
}

/** The payload as a JSON value when it is one, else undefined. */
export function jsonPayload(event: StoredEvent): {value: unknown} | undefined {
	if (!isJson(event.envelope.datacontenttype)) return undefined;
	try {
		return {value: JSON.parse(event.envelope.data)};
	} catch {
		return undefined;
	}
}

/** The payload on one line: compact JSON, or the text with invisible bytes made visible. */
export function payloadLine(event: StoredEvent): string {
	const json = jsonPayload(event);
	return sanitize(json ? JSON.stringify(json.value) : event.envelope.data);
}

/** One event on one line: stored time, entry id, envelope id, source, correlation id, payload. */
export function eventLine(event: StoredEvent, withTopic = false): string {
	const {envelope} = event;
	const parts = [storedTime(event), ...(withTopic ? [event.topic] : []), event.entryId, `id=${envelope.id}`, `source=${envelope.source}`];
	if (envelope.correlationid !== undefined) parts.push(`corr=${envelope.correlationid}`);
	parts.push(payloadLine(event));
	return sanitize(parts.join('  '));
}

/** One event as a JSON envelope: its attributes, the data (as JSON when it is), and where it is stored. */
export function eventRecord(event: StoredEvent): Record<string, unknown> {
	const json = jsonPayload(event);
	return {topic: event.topic, entry: event.entryId, ...attributesOf(event.envelope), data: json ? json.value : event.envelope.data};
}

export const eventJson = (event: StoredEvent) => safeJson(eventRecord(event));

/** One line of a trace: indented under its cause, with the time since it. */
export function traceLine(row: TraceRow): string {
	const {event} = row;
	const indent = row.depth === 0 ? '' : `${'   '.repeat(row.depth - 1)}└─ `;
	const after = row.gapMs === undefined ? '' : `+${duration(row.gapMs)} `;
	const missing = row.causeMissing ? ` (caused by ${event.envelope.causationid}, not retained)` : '';
	return sanitize(`${indent}${after}${event.topic}  ${event.entryId}  id=${event.envelope.id}  source=${event.envelope.source}  ${payloadLine(event)}${missing}`);
}
