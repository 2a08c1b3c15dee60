// `eda migrate`: moves keys written before the hash tags (redis/keys.ts) to
// the tagged layout, on a single node. Old → new:
//   eda:stream:<topic>            → eda:{<topic>}:stream
//   eda:actor:<name>, eda:actors  → eda:{actors}:actor:<name>, eda:{actors}:index
//   eda:deferred:<part>           → eda:{message:queue}:<part> (seq, scheduled,
//                                   inflight, dead, stats, channel-leader,
//                                   event:<id>, ids:<sha1>)
//   eda:topics:last-at            → deleted (the stream's own last entry replaced it)
// Each key moves with RENAME only when its new name is free, so a re-run moves
// nothing twice; where both exist, counters and the id sequence are merged
// (HINCRBY, the larger seq) and anything else is reported and left alone.
import type {Redis} from 'ioredis';
import {keys} from './keys.js';

export type MoveKind = 'rename' | 'merge' | 'delete' | 'conflict';
export type Move = {from: string; to?: string; kind: MoveKind};

/** The old names that may still hold data, cheap to test on every start. */
const oldFixed = ['eda:actors', 'eda:deferred:seq', 'eda:deferred:scheduled', 'eda:deferred:inflight', 'eda:deferred:dead', 'eda:deferred:stats', 'eda:topics:last-at'];
const oldPatterns = ['eda:stream:*', 'eda:actor:*', 'eda:deferred:*'];

/** The new name of an old-layout key, undefined when it is deleted (or not an old key). */
export function newName(old: string): string | undefined {
	if (old.startsWith('eda:stream:')) return keys.stream(old.slice('eda:stream:'.length));
	if (old === 'eda:actors') return keys.actors;
	if (old.startsWith('eda:actor:')) return keys.actor(old.slice('eda:actor:'.length));
	if (old.startsWith('eda:deferred:')) {
		const part = old.slice('eda:deferred:'.length);
		// Channels share the prefix but are never keys; a key of that name would be a stray.
		return `eda:{message:queue}:${part}`;
	}
	return undefined;
}

/** Whether Redis holds any key of the old layout: a few EXISTS and one bounded SCAN step per pattern. */
export async function hasOldLayout(redis: Redis): Promise<boolean> {
	if ((await redis.exists(...oldFixed)) > 0) return true;
	for (const pattern of oldPatterns) {
		const [, found] = await redis.scan('0', 'MATCH', pattern, 'COUNT', 1000);
		if (found.length > 0) return true;
	}
	return false;
}

/** Every old-layout key and what migrating does with it. */
export async function planMigration(redis: Redis): Promise<Move[]> {
	const found = new Set<string>();
	for (const pattern of [...oldPatterns, 'eda:topics:last-at']) {
		let cursor = '0';
		do {
			const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
			cursor = next;
			for (const key of batch) found.add(key);
		} while (cursor !== '0');
	}
	for (const key of oldFixed) if ((await redis.exists(key)) > 0) found.add(key);
	const moves: Move[] = [];
	for (const from of [...found].sort()) {
		const to = newName(from);
		if (to === undefined) {
			moves.push({from, kind: 'delete'});
			continue;
		}
		if ((await redis.exists(to)) === 0) moves.push({from, to, kind: 'rename'});
		else if (from === 'eda:deferred:seq' || from === 'eda:deferred:stats' || from === 'eda:actors') moves.push({from, to, kind: 'merge'});
		else moves.push({from, to, kind: 'conflict'});
	}
	return moves;
}

/** Applies one move; idempotent (RENAMENX, and a merged key is deleted only after its merge). */
export async function applyMove(redis: Redis, move: Move): Promise<boolean> {
	if (move.kind === 'conflict' || move.to === undefined) {
		if (move.kind === 'delete') return (await redis.del(move.from)) === 1;
		return false;
	}
	if (move.kind === 'rename') return (await redis.renamenx(move.from, move.to)) === 1;
	if (move.from === 'eda:deferred:seq') {
		const [old, now] = await redis.mget(move.from, move.to);
		if (Number(old) > Number(now)) await redis.set(move.to, String(old));
	} else if (move.from === 'eda:actors') {
		// Heartbeats of stopped actors: the new index has its own; the old entries go.
	} else {
		const old = await redis.hgetall(move.from);
		const multi = redis.multi();
		for (const [field, value] of Object.entries(old)) multi.hincrby(move.to, field, Number(value) || 0);
		multi.del(move.from);
		await multi.exec();
		return true;
	}
	await redis.del(move.from);
	return true;
}

/** Names of live actors in either layout's index (migrating under them would lose their writes). */
export async function liveActors(redis: Redis, now: number): Promise<string[]> {
	const [old, current] = await Promise.all([redis.zrangebyscore('eda:actors', now, '+inf'), redis.zrangebyscore(keys.actors, now, '+inf')]);
	return [...new Set([...old, ...current])].sort();
}
