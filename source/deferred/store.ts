// The deferred event store: typed calls to the Lua scripts, one per move.
// LuaScript sends EVALSHA and falls back to EVAL on NOSCRIPT, so the scripts
// survive a Redis restart (which empties the script cache).
import type {Redis} from 'ioredis';
import {goCompat, keys} from '../redis/keys.js';
import {LuaScript, type ScriptArg} from '../redis/script.js';
import * as lua from './scripts.js';

const eventPrefix = keys.deferred.event('');
const idsPrefix = keys.deferred.idsForBody('');

/** Done records stay readable (GET /deferred/:id) this long. */
export const keepDoneMs = 3_600_000;

export type Body = string | Buffer;

export type ClaimedEvent = {
	id: string;
	token: string;
	body: string;
	attempts: number;
	/** Redis ms the event was due (the latest due after retries). */
	due: number;
	/** Redis ms when the lease runs out unless renewed. */
	leaseUntil: number;
	/** Redis ms of the claim. */
	claimedAt: number;
};

export type FailResult = {outcome: 'retry'; due: number; failedAt: number} | {outcome: 'dead'; at: number} | {outcome: 'lost'};

const definitions: Record<string, LuaScript> = {
	edaDeferredEnqueue: new LuaScript(lua.enqueueLua, 3),
	edaDeferredPromote: new LuaScript(lua.promoteLua, 3),
	edaDeferredClaim: new LuaScript(lua.claimLua, 4),
	edaDeferredRenew: new LuaScript(lua.renewLua, 1),
	edaDeferredComplete: new LuaScript(lua.completeLua, 2),
	edaDeferredFail: new LuaScript(lua.failLua, 4),
	edaDeferredRelease: new LuaScript(lua.releaseLua, 2),
	edaDeferredSweep: new LuaScript(lua.sweepLua, 4),
	edaDeferredRetry: new LuaScript(lua.retryLua, 4),
	edaDeferredPurge: new LuaScript(lua.purgeLua, 1),
	edaDeferredReconcile: new LuaScript(lua.reconcileLua, 2),
	edaDeferredLeader: new LuaScript(lua.leaderLua, 1),
	edaDeferredResign: new LuaScript(lua.resignLua, 1),
};

type ScriptFn = (...args: ScriptArg[]) => Promise<unknown>;

function script(redis: Redis, name: string): ScriptFn {
	const found = definitions[name];
	if (!found) throw new Error(`script ${name} is not defined`);
	return (...args) => found.run(redis, args);
}

const num = (value: unknown): number => Number(value);

/** All moves of deferred events, on one client. */
export class DeferredStore {
	constructor(readonly redis: Redis) {}

	/** Stores events, each due after its delay; returns ids and due times (Redis ms). */
	async enqueueMany(items: {body: Body; delayMs: number}[], source = 'api'): Promise<{id: string; due: number}[]> {
		if (items.length === 0) return [];
		const args: (string | number | Buffer)[] = [eventPrefix, idsPrefix, source, keys.deferred.scheduledChannel];
		for (const item of items) args.push(item.body, Math.max(0, Math.round(item.delayMs)));
		const reply = (await script(this.redis, 'edaDeferredEnqueue')(keys.deferred.seq, keys.deferred.scheduled, keys.deferred.stats, ...args)) as unknown[];
		const out: {id: string; due: number}[] = [];
		for (let i = 0; i < reply.length; i += 2) out.push({id: String(reply[i]), due: num(reply[i + 1])});
		return out;
	}

	async enqueue(body: Body, delayMs: number, source = 'api'): Promise<{id: string; due: number}> {
		const [first] = await this.enqueueMany([{body, delayMs}], source);
		if (!first) throw new Error('enqueue returned nothing');
		return first;
	}

	/** Moves up to `batch` due events to message:queue. */
	async promote(batch = 1000): Promise<{moved: number; nextDue: number | undefined; now: number}> {
		const [moved, nextDue, now] = (await script(this.redis, 'edaDeferredPromote')(
			keys.deferred.scheduled, goCompat.workQueue, keys.deferred.stats,
			eventPrefix, idsPrefix, batch, keys.deferred.readyChannel,
		)) as unknown[];
		return {moved: num(moved), nextDue: num(nextDue) < 0 ? undefined : num(nextDue), now: num(now)};
	}

	/** Returns expired leases to the queue (or the dead list after the last attempt). */
	async sweep(batch = 1000): Promise<{requeued: number; dead: number; nextExpiry: number | undefined}> {
		const [requeued, dead, nextExpiry] = (await script(this.redis, 'edaDeferredSweep')(
			keys.deferred.inflight, goCompat.workQueue, keys.deferred.dead, keys.deferred.stats,
			eventPrefix, idsPrefix, batch, keys.deferred.readyChannel,
		)) as unknown[];
		return {requeued: num(requeued), dead: num(dead), nextExpiry: num(nextExpiry) < 0 ? undefined : num(nextExpiry)};
	}

	/** Takes up to `n` events, oldest first, each with a lease of `leaseMs`. */
	async claim(n: number, worker: string, leaseMs: number, maxAttempts: number): Promise<{now: number; events: ClaimedEvent[]}> {
		const reply = (await script(this.redis, 'edaDeferredClaim')(
			goCompat.workQueue, keys.deferred.inflight, keys.deferred.stats, keys.deferred.seq,
			eventPrefix, idsPrefix, n, leaseMs, worker, maxAttempts,
		)) as unknown[];
		const now = num(reply[0]);
		const events: ClaimedEvent[] = [];
		for (let i = 1; i + 4 < reply.length; i += 5) {
			events.push({
				id: String(reply[i]),
				token: String(reply[i + 1]),
				body: String(reply[i + 2]),
				attempts: num(reply[i + 3]),
				due: num(reply[i + 4]),
				leaseUntil: now + leaseMs,
				claimedAt: now,
			});
		}
		return {now, events};
	}

	/** Extends the leases still held; returns which were (false: lease lost). */
	async renew(held: {id: string; token: string}[], leaseMs: number): Promise<{now: number; kept: boolean[]}> {
		if (held.length === 0) return {now: 0, kept: []};
		const reply = (await script(this.redis, 'edaDeferredRenew')(keys.deferred.inflight, eventPrefix, leaseMs, ...held.flatMap((h) => [h.id, h.token]))) as unknown[];
		return {now: num(reply[0]), kept: reply.slice(1).map((v) => num(v) === 1)};
	}

	/** In flight → done for each held lease; false where the lease was lost. */
	async completeMany(held: {id: string; token: string}[]): Promise<boolean[]> {
		if (held.length === 0) return [];
		const reply = (await script(this.redis, 'edaDeferredComplete')(keys.deferred.inflight, keys.deferred.stats, eventPrefix, keepDoneMs, ...held.flatMap((h) => [h.id, h.token]))) as unknown[];
		return reply.map((v) => num(v) === 1);
	}

	async complete(id: string, token: string): Promise<boolean> {
		const [ok] = await this.completeMany([{id, token}]);
		return ok === true;
	}

	async fail(id: string, token: string, error: string, maxAttempts: number, backoffMs: number, jitter = Math.random()): Promise<FailResult> {
		const reply = (await script(this.redis, 'edaDeferredFail')(
			keys.deferred.inflight, keys.deferred.scheduled, keys.deferred.dead, keys.deferred.stats,
			eventPrefix, id, token, error, maxAttempts, backoffMs, jitter, keys.deferred.scheduledChannel,
		)) as unknown[];
		const code = num(reply[0]);
		if (code === 1) return {outcome: 'retry', due: num(reply[1]), failedAt: num(reply[2])};
		if (code === 2) return {outcome: 'dead', at: num(reply[1])};
		return {outcome: 'lost'};
	}

	/** Hands held events back to the head of the queue at once. */
	async release(held: {id: string; token: string}[]): Promise<number> {
		if (held.length === 0) return 0;
		return num(await script(this.redis, 'edaDeferredRelease')(
			keys.deferred.inflight, goCompat.workQueue, eventPrefix, idsPrefix, keys.deferred.readyChannel, ...held.flatMap((h) => [h.id, h.token]),
		));
	}

	/** One dead or scheduled event back to the queue now. */
	async retry(id: string): Promise<{moved: number; problem: string}> {
		return this.retryCall(id, 1);
	}

	/** Every dead event back to the queue, in bounded batches. */
	async retryAllDead(batch = 1000): Promise<number> {
		let total = 0;
		for (;;) {
			const {moved} = await this.retryCall('', batch);
			total += moved;
			if (moved < batch) return total;
		}
	}

	async purgeDead(batch = 1000): Promise<number> {
		let total = 0;
		for (;;) {
			const n = num(await script(this.redis, 'edaDeferredPurge')(keys.deferred.dead, eventPrefix, batch));
			total += n;
			if (n < batch) return total;
		}
	}

	/**
	 * One step of marking records of events that a record-less worker (the Go
	 * tool's RPOP) took as "taken"; pass the returned cursor to the next call.
	 */
	async reconcile(cursor = '0', count = 1000): Promise<{cursor: string; taken: number}> {
		const [next, taken] = (await script(this.redis, 'edaDeferredReconcile')(goCompat.workQueue, keys.deferred.stats, eventPrefix, idsPrefix, cursor, count, keepDoneMs)) as unknown[];
		return {cursor: String(next), taken: num(taken)};
	}

	/** Takes or keeps a lock for `ttlMs`; true while this holder has it. */
	async lead(lock: string, holder: string, ttlMs: number): Promise<boolean> {
		return num(await script(this.redis, 'edaDeferredLeader')(lock, holder, ttlMs)) === 1;
	}

	async resign(lock: string, holder: string): Promise<void> {
		await script(this.redis, 'edaDeferredResign')(lock, holder);
	}

	/** The record of one event, or undefined. */
	async get(id: string): Promise<Record<string, string> | undefined> {
		const hash = await this.redis.hgetall(keys.deferred.event(id));
		return Object.keys(hash).length > 0 ? hash : undefined;
	}

	private async retryCall(id: string, batch: number): Promise<{moved: number; problem: string}> {
		const [moved, problem] = (await script(this.redis, 'edaDeferredRetry')(
			keys.deferred.scheduled, goCompat.workQueue, keys.deferred.dead, keys.deferred.stats,
			eventPrefix, idsPrefix, keys.deferred.readyChannel, id, batch,
		)) as unknown[];
		return {moved: num(moved), problem: String(problem ?? '')};
	}
}
