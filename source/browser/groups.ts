// A topic's consumer groups in detail, for `eda groups` and the dashboard:
// each group's consumers, its pending entries (XPENDING, with idle time and
// delivery count) and lag; and taking over entries idle past a threshold for
// another consumer (XAUTOCLAIM), as a dead member's work is rescued.
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {fieldMap} from '../redis/reply.js';
import {groupRows, type ConsumerGroup} from '../topics/groups.js';

export type PendingEntry = {entryId: string; consumer: string; idleMs: number; deliveries: number};
export type GroupConsumer = {name: string; pending: number; idleMs: number; inactiveMs?: number};
export type GroupDetail = ConsumerGroup & {lastDelivered: string; members: GroupConsumer[]; pendingEntries: PendingEntry[]};

/** Pending entries listed per group: the oldest first (XPENDING's order). */
export const pendingShown = 50;

function consumerRows(reply: unknown): GroupConsumer[] {
	if (!Array.isArray(reply)) return [];
	return reply.map((row) => {
		const f = fieldMap(row);
		const inactive = f.get('inactive');
		return {name: f.get('name') ?? '?', pending: Number(f.get('pending') ?? 0), idleMs: Number(f.get('idle') ?? 0), ...(inactive === undefined || Number(inactive) < 0 ? {} : {inactiveMs: Number(inactive)})};
	});
}

function pendingRows(reply: unknown): PendingEntry[] {
	if (!Array.isArray(reply)) return [];
	return reply.map(([entryId, consumer, idle, deliveries]: [string, string, number, number]) => ({entryId, consumer, idleMs: Number(idle), deliveries: Number(deliveries)}));
}

/** Every group of the topic with its members and up to `limit` pending entries; [] when the topic has no stream. */
export async function readGroups(redis: Redis, topic: string, limit = pendingShown): Promise<GroupDetail[]> {
	const key = keys.stream(topic);
	if ((await redis.type(key)) !== 'stream') return [];
	const infos = (await redis.xinfo('GROUPS', key)) as unknown[];
	const rows = groupRows(infos);
	return Promise.all(
		rows.map(async (group, i) => {
			const [members, pending] = await Promise.all([redis.xinfo('CONSUMERS', key, group.name), redis.xpending(key, group.name, '-', '+', limit)]);
			return {...group, lastDelivered: fieldMap(infos[i]).get('last-delivered-id') ?? '', members: consumerRows(members), pendingEntries: pendingRows(pending)};
		}),
	);
}

/** Claims in one XAUTOCLAIM step; a few steps bound one claim. */
const claimStep = 100;
const claimSteps = 100;

/**
 * Gives every entry of the group idle at least `minIdleMs` to `consumer`
 * (created in the group when new); answers how many moved. XAUTOCLAIM moves
 * each entry atomically, so a member that acknowledges one meanwhile keeps it
 * acknowledged.
 */
export async function claimIdle(redis: Redis, topic: string, group: string, consumer: string, minIdleMs: number): Promise<number> {
	const key = keys.stream(topic);
	let cursor = '0-0';
	let moved = 0;
	for (let i = 0; i < claimSteps; i++) {
		const [next, claimed] = (await redis.xautoclaim(key, group, consumer, Math.max(0, Math.floor(minIdleMs)), cursor, 'COUNT', claimStep, 'JUSTID')) as [string, string[]];
		moved += claimed.length;
		cursor = next;
		if (cursor === '0-0') break;
	}
	return moved;
}
