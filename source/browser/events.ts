// Reading a topic's retained events: a page newest first (XREVRANGE, bounded),
// one event by its stream entry id (one XRANGE). The dashboard's event list and
// `eda events` both read through here.
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {envelopeFromFields, type Envelope} from '../topics/envelope.js';

/** One retained event: where it is stored and what it holds. */
export type StoredEvent = {
	topic: string;
	/** The stream entry id: how an event is addressed (`eda replay <topic> <entry-id>`). */
	entryId: string;
	/** Redis ms the entry was stored (from its id): order and the time between steps come from here. */
	ms: number;
	envelope: Envelope;
};

/** Most events one page reads. */
export const maxPage = 1000;

/** XRANGE/XREVRANGE reply → events. */
export function eventsOf(topic: string, reply: unknown): StoredEvent[] {
	if (!Array.isArray(reply)) return [];
	return reply.map(([entryId, fields]: [string, string[]]) => ({topic, entryId, ms: entryMs(entryId), envelope: envelopeFromFields(fields)}));
}

export const entryMs = (entryId: string) => Number(entryId.slice(0, entryId.indexOf('-') >>> 0));

/** `1700000000000-0` or `1700000000000`: what XRANGE takes as one id. */
export const entryIdPattern = /^\d{1,20}(-\d{1,20})?$/;

/**
 * Up to `count` events newest first, older than `before` (an entry id,
 * exclusive) when given, and no older than `sinceMs`.
 */
export async function readPage(redis: Redis, topic: string, options: {count?: number; before?: string; sinceMs?: number} = {}): Promise<StoredEvent[]> {
	const count = Math.min(Math.max(1, options.count ?? 50), maxPage);
	const end = options.before === undefined ? '+' : `(${options.before}`;
	const start = options.sinceMs === undefined ? '-' : `${Math.max(0, Math.floor(options.sinceMs))}-0`;
	return eventsOf(topic, await redis.xrevrange(keys.stream(topic), end, start, 'COUNT', count));
}

/** Up to `count` events newer than `after` (an entry id, exclusive), newest first: what arrived since a page was read. */
export async function readNewer(redis: Redis, topic: string, after: string, count = maxPage): Promise<StoredEvent[]> {
	return eventsOf(topic, await redis.xrevrange(keys.stream(topic), '+', `(${after}`, 'COUNT', Math.min(count, maxPage)));
}

/** One event by its entry id; undefined when the stream holds no such entry. */
export async function readEvent(redis: Redis, topic: string, entryId: string): Promise<StoredEvent | undefined> {
	return eventsOf(topic, await redis.xrange(keys.stream(topic), entryId, entryId, 'COUNT', 1))[0];
}

/** Whether the topic has a stream at all (a topic only PUBLISHed to has none). */
export async function hasStream(redis: Redis, topic: string): Promise<boolean> {
	return (await redis.type(keys.stream(topic))) === 'stream';
}
