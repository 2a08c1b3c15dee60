// The index of topic names (`eda:topics`, redis/keys.ts), written from the
// client and not inside the per-topic scripts. It spans every topic, so it
// cannot share a hash tag with a topic's stream: a script that wrote both
// could not run on Redis Cluster. So the publish and group calls enter their
// topic here, with HSETNX, after their script succeeded:
// - after, not before: a publish Redis refused (a key of the wrong type) leaves
//   nothing behind, the index included;
// - once per topic and client (a set kept per connection), so the hot path
//   pays nothing after a topic's first publish; the set empties when the
//   connection comes back (a restarted Redis may have lost the index), and a
//   publish that created the topic's stream enters it again (a FLUSHALL or
//   DEL on a connection that stayed up took the index with the stream);
// - awaited before the caller hears "published", so a reader that asks next
//   finds the topic listed.
// A process that dies between its first publish and this write leaves the
// topic unlisted until some process publishes to it again; its events are
// stored either way.
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';

const indexed = new WeakMap<Redis, Set<string>>();

function indexedBy(redis: Redis): Set<string> {
	let topics = indexed.get(redis);
	if (!topics) {
		const created = new Set<string>();
		redis.on('ready', () => created.clear());
		indexed.set(redis, (topics = created));
	}
	return topics;
}

/**
 * Enters a topic in the index unless this client did so already, or `again`
 * (its stream was just created: the data may have been flushed, index and all,
 * on a connection that stayed up). `firstSeenMs` is Redis time (the ms part of
 * a stream entry id, or TIME).
 */
export async function indexTopic(redis: Redis, topic: string, firstSeenMs: number | string, again = false): Promise<void> {
	const topics = indexedBy(redis);
	if (topics.has(topic) && !again) return;
	await redis.hsetnx(keys.topics, topic, firstSeenMs);
	topics.add(topic);
}

/** The ms part of a stream entry id ("1700000000000-0"): Redis time. */
export function entryMs(id: string): string {
	// slice, not split: the mesh calls this per forwarded event.
	const dash = id.indexOf('-');
	return dash < 0 ? id : id.slice(0, dash);
}
