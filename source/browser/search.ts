// Searching a retained stream where Redis has no index: read it newest first
// in bounded steps (at most `step` entries per XREVRANGE), test each entry
// here, and let other work run between steps. One short command at a time is
// all this asks of Redis, so other clients' commands wait at most one step
// (npm run bench -- browser measures their p99 during a search of 1,000,000).
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {eventsOf, type StoredEvent} from './events.js';
import {matches, type Filter} from './filter.js';

/** Entries one step reads: about a millisecond of Redis's time for events of a few hundred bytes. */
export const searchStep = 1000;

export type SearchProgress = {scanned: number; matched: number; total: number};

export type SearchOptions = {
	filters: Filter[];
	/** Stop after this many matches (newest first); all when undefined. */
	limit?: number;
	/** Events stored before this Redis ms are not read. */
	sinceMs?: number;
	/** Start below this entry id (exclusive): the next page of a search. */
	before?: string;
	step?: number;
	/** Called after each step. */
	onProgress?: (progress: SearchProgress) => void;
	/** Each match as it is found (the dashboard shows them while the search goes on). */
	onMatch?: (event: StoredEvent) => void;
	/** Stops the search between steps; what was found so far is answered. */
	signal?: AbortSignal;
};

export type SearchResult = {events: StoredEvent[]; scanned: number; total: number; stopped: boolean; complete: boolean};

/** Lets queued I/O and timers (a frame, a key) run between steps. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The topic's events matching every filter, newest first. Each step's reply is
 * tested while the next step is already on its way, so one command is always
 * in flight and never more.
 */
export async function searchTopic(redis: Redis, topic: string, options: SearchOptions): Promise<SearchResult> {
	const step = Math.max(1, options.step ?? searchStep);
	const key = keys.stream(topic);
	const start = options.sinceMs === undefined ? '-' : `${Math.max(0, Math.floor(options.sinceMs))}-0`;
	const total = await redis.xlen(key);
	const found: StoredEvent[] = [];
	let scanned = 0;
	const read = (end: string) => redis.xrevrange(key, end, start, 'COUNT', step);
	let pending: Promise<unknown> | undefined = read(options.before === undefined ? '+' : `(${options.before}`);
	while (pending) {
		const reply = await pending;
		pending = undefined;
		const events = eventsOf(topic, reply);
		const last = events.at(-1);
		if (events.length === step && last && !options.signal?.aborted) pending = read(`(${last.entryId}`);
		scanned += events.length;
		for (const event of events) {
			if (!matches(event, options.filters)) continue;
			found.push(event);
			options.onMatch?.(event);
			if (options.limit !== undefined && found.length >= options.limit) {
				await pending?.catch(() => undefined);
				options.onProgress?.({scanned, matched: found.length, total});
				return {events: found, scanned, total, stopped: false, complete: false};
			}
		}
		options.onProgress?.({scanned, matched: found.length, total});
		if (options.signal?.aborted) {
			await pending?.catch(() => undefined);
			return {events: found, scanned, total, stopped: true, complete: false};
		}
		if (pending) await nextTurn();
	}
	return {events: found, scanned, total, stopped: false, complete: true};
}
