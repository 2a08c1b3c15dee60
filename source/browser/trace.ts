// Following one business process across topics: every retained event, in
// every known topic, whose correlation id is the one asked for, ordered by
// when it was stored and drawn as its causation tree (causationid → id).
// Works for any events carrying the ids, not only the labs'. Each stream is
// read in bounded steps as search.ts reads one, one command in flight.
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import type {StoredEvent} from './events.js';
import {entryMs} from './events.js';
import {envelopeFromFields} from '../topics/envelope.js';
import {nextTurn, searchStep} from './search.js';

export type TraceProgress = {topic: string; topicsDone: number; topics: number; scanned: number; found: number};

export type TraceOptions = {
	/** The topics to read; every topic in the index when undefined. */
	topics?: string[];
	step?: number;
	onProgress?: (progress: TraceProgress) => void;
	signal?: AbortSignal;
};

export type TraceResult = {events: StoredEvent[]; scanned: number; topics: number; stopped: boolean};

/** Where a correlation id sits in a flat field list; cheaper than building every envelope. */
function correlationOf(fields: string[]): string | undefined {
	for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'correlationid') return fields[i + 1];
	return undefined;
}

/** The events of one stream carrying the correlation id, in steps. */
async function traceStream(redis: Redis, topic: string, correlationId: string, step: number, signal: AbortSignal | undefined, onStep: (n: number) => void): Promise<StoredEvent[]> {
	const key = keys.stream(topic);
	const found: StoredEvent[] = [];
	const read = (end: string) => redis.xrevrange(key, end, '-', 'COUNT', step) as Promise<[string, string[]][]>;
	let pending: Promise<[string, string[]][]> | undefined = read('+');
	while (pending) {
		const reply = await pending;
		pending = undefined;
		const last = reply.at(-1);
		if (reply.length === step && last && !signal?.aborted) pending = read(`(${last[0]}`);
		for (const [entryId, fields] of reply) {
			if (correlationOf(fields) === correlationId) found.push({topic, entryId, ms: entryMs(entryId), envelope: envelopeFromFields(fields)});
		}
		onStep(reply.length);
		if (signal?.aborted) {
			await pending?.catch(() => undefined);
			break;
		}
		if (pending) await nextTurn();
	}
	return found;
}

/** Every retained event with this correlation id, oldest first. */
export async function traceCorrelation(redis: Redis, correlationId: string, options: TraceOptions = {}): Promise<TraceResult> {
	const step = Math.max(1, options.step ?? searchStep);
	const topics = options.topics ?? (await redis.hkeys(keys.topics)).sort();
	const events: StoredEvent[] = [];
	let scanned = 0;
	let done = 0;
	for (const topic of topics) {
		if (options.signal?.aborted) break;
		const found = await traceStream(redis, topic, correlationId, step, options.signal, (n) => {
			scanned += n;
			options.onProgress?.({topic, topicsDone: done, topics: topics.length, scanned, found: events.length});
		});
		events.push(...found);
		done++;
	}
	options.onProgress?.({topic: '', topicsDone: done, topics: topics.length, scanned, found: events.length});
	events.sort(byTime);
	return {events, scanned, topics: topics.length, stopped: options.signal?.aborted === true};
}

/** Stored order: entry ms, then the entry id's sequence, then the topic. */
function byTime(a: StoredEvent, b: StoredEvent): number {
	if (a.ms !== b.ms) return a.ms - b.ms;
	const seq = (id: string) => Number(id.slice(id.indexOf('-') + 1));
	return seq(a.entryId) - seq(b.entryId) || a.topic.localeCompare(b.topic);
}

/** One line of the drawn tree. */
export type TraceRow = {
	event: StoredEvent;
	/** 0 for a root (no cause, or a cause not among the events). */
	depth: number;
	/** ms since its cause was stored; for a root, since the previous root (undefined for the first). */
	gapMs?: number;
	/** It names a cause that is not among the retained events (trimmed, or on a topic not read). */
	causeMissing: boolean;
};

/**
 * The causation tree of traced events, flattened depth first: each event under
 * the event whose id is its causation id, siblings in stored order. An event
 * whose cause is missing is a root and says so; a cycle of ids (bad data) is
 * cut where it closes, so every event is drawn once.
 */
export function traceRows(events: StoredEvent[]): TraceRow[] {
	const sorted = [...events].sort(byTime);
	const byId = new Map<string, StoredEvent>();
	for (const event of sorted) if (!byId.has(event.envelope.id)) byId.set(event.envelope.id, event);
	const children = new Map<StoredEvent, StoredEvent[]>();
	const roots: StoredEvent[] = [];
	for (const event of sorted) {
		const cause = event.envelope.causationid === undefined ? undefined : byId.get(event.envelope.causationid);
		if (cause && cause !== event) {
			const list = children.get(cause) ?? [];
			list.push(event);
			children.set(cause, list);
		} else roots.push(event);
	}
	const rows: TraceRow[] = [];
	const drawn = new Set<StoredEvent>();
	const visit = (event: StoredEvent, depth: number, gapMs: number | undefined) => {
		if (drawn.has(event)) return;
		drawn.add(event);
		const causationid = event.envelope.causationid;
		rows.push({event, depth, gapMs, causeMissing: depth === 0 && causationid !== undefined && causationid !== event.envelope.id && !byId.has(causationid)});
		for (const child of children.get(event) ?? []) visit(child, depth + 1, child.ms - event.ms);
	};
	let previous: StoredEvent | undefined;
	for (const root of roots) {
		visit(root, 0, previous === undefined ? undefined : root.ms - previous.ms);
		previous = root;
	}
	// Events only reachable through a cycle: drawn as roots.
	for (const event of sorted) if (!drawn.has(event)) visit(event, 0, undefined);
	return rows;
}
