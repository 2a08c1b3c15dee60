// Republishing a retained event, as `eda replay` and the dashboard's `r` do:
// a new event (new id, the time now) whose causation id is the original's, on
// the same topic or another, through the producer's own publish path
// (portal/enforce.ts publishChecked: the declared schema and its mode apply).
import {randomUUID} from 'node:crypto';
import type {Redis} from 'ioredis';
import {publishChecked, type Published} from '../portal/enforce.js';
import {keys} from '../redis/keys.js';
import type {Envelope, OutgoingEvent} from '../topics/envelope.js';
import {defaultRetain} from '../topics/publish.js';
import type {StoredEvent} from './events.js';

/** The new envelope: the original's attributes and data, a new id and time, caused by the original. */
export function replayEnvelope(original: StoredEvent, to: string, now = new Date()): Envelope {
	const {envelope} = original;
	return {
		...envelope,
		id: randomUUID(),
		time: now.toISOString(),
		// The type named the old topic only because none was given: it names the new one.
		type: envelope.type === original.topic ? to : envelope.type,
		// An event with no correlation id starts one: its replay is traced with it.
		correlationid: envelope.correlationid ?? envelope.id,
		causationid: envelope.id,
	};
}

export type Replayed = Published & {topic: string; envelope: Envelope};

/**
 * Publishes the replay. The stream keeps at least what it holds now: a replay
 * never trims a topic kept longer than the default (`--retain 1000000`).
 */
export async function replayEvent(redis: Redis, original: StoredEvent, to = original.topic): Promise<Replayed> {
	const envelope = replayEnvelope(original, to);
	const event: OutgoingEvent = {envelope, wire: envelope.data};
	const length = await redis.xlen(keys.stream(to));
	const published = await publishChecked(redis, to, [event], Math.max(defaultRetain, length + 1));
	return {...published, topic: to, envelope};
}
