// What a consumer group still owes: events not yet delivered (lag) plus
// delivered but not acknowledged (pending), read from Redis in one pipelined
// round trip per call, whoever the members are and wherever they run.
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {entryMs} from './events.js';

export type GroupState = {
	topic: string;
	group: string;
	exists: boolean;
	/** Entries added after the group's last delivered one. */
	lag: number;
	/** Delivered to a member, not yet acknowledged. */
	pending: number;
	lastDeliveredId: string;
	consumers: number;
};

function fieldsOf(row: unknown): Record<string, unknown> {
	const list = Array.isArray(row) ? row : [];
	const out: Record<string, unknown> = {};
	for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
	return out;
}

/** Lag and pending of each (topic, group); a missing stream or group reads as zero. */
export async function groupStates(redis: Redis, wanted: {topic: string; group: string}[]): Promise<GroupState[]> {
	const topics = [...new Set(wanted.map((w) => w.topic))];
	const pipeline = redis.pipeline();
	for (const topic of topics) pipeline.xinfo('GROUPS', keys.stream(topic));
	const replies = (await pipeline.exec()) ?? [];
	const byTopic = new Map<string, Map<string, Record<string, unknown>>>();
	topics.forEach((topic, i) => {
		const [error, value] = replies[i] ?? [null, []];
		const groups = new Map<string, Record<string, unknown>>();
		if (!error && Array.isArray(value)) {
			for (const row of value) {
				const fields = fieldsOf(row);
				groups.set(String(fields['name']), fields);
			}
		}
		byTopic.set(topic, groups);
	});
	return wanted.map(({topic, group}) => {
		const fields = byTopic.get(topic)?.get(group);
		if (!fields) return {topic, group, exists: false, lag: 0, pending: 0, lastDeliveredId: '0-0', consumers: 0};
		return {
			topic,
			group,
			exists: true,
			// Redis answers nil for lag when it cannot tell (after deletions); count those as 0 here.
			lag: Number(fields['lag'] ?? 0) || 0,
			pending: Number(fields['pending'] ?? 0) || 0,
			lastDeliveredId: String(fields['last-delivered-id'] ?? '0-0'),
			consumers: Number(fields['consumers'] ?? 0) || 0,
		};
	});
}

/**
 * Redis ms of the oldest event a group has not finished: the oldest pending
 * entry, else the first entry after the last delivered one. Undefined when the
 * group owes nothing.
 */
export async function oldestOwedMs(redis: Redis, state: GroupState): Promise<number | undefined> {
	if (!state.exists || state.lag + state.pending === 0) return undefined;
	const stream = keys.stream(state.topic);
	const [pending, next] = (await redis
		.pipeline()
		.xpending(stream, state.group)
		.xrange(stream, `(${state.lastDeliveredId}`, '+', 'COUNT', 1)
		.exec()) ?? [];
	const times: number[] = [];
	const summary = pending?.[1] as [number, string | null, string | null, unknown] | undefined;
	if (summary && summary[1]) times.push(entryMs(summary[1]));
	const entries = next?.[1] as [string, string[]][] | undefined;
	if (entries && entries[0]) times.push(entryMs(entries[0][0]));
	return times.length > 0 ? Math.min(...times) : undefined;
}
