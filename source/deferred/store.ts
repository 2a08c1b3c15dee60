// The deferred event store: one typed call per move of an event between
// stages, each one Lua script written beside its call (schedule.ts, lease.ts,
// repair.ts, leader.ts). Redis runs a script alone, so an event is never in two
// stages nor in none, and several masters or workers can call them at once
// without double moves. Time comes from Redis TIME in ms (luaNowMs), never
// from a client's clock. LuaScript sends EVALSHA and falls back to EVAL on
// NOSCRIPT, so the scripts survive a Redis restart (which empties the cache).
//
// message:queue holds plain bodies (the Go tool reads and writes them); which
// id a body belongs to is kept in a list per sha1 of the body
// (eda:{message:queue}:ids:<sha1>), in the same FIFO order as the queue: a
// promote LPUSHes the body and RPUSHes the id, a claim RPOPs the body and
// LPOPs the id. Every key here carries the tag {message:queue} (redis/keys.ts).
import type {Redis} from 'ioredis';
import {keys, type DeferredKeys} from '../redis/keys.js';
import * as lease from './lease.js';
import {lead, resign} from './leader.js';
import {deleteEvent, purgeDead, reconcile, retry} from './repair.js';
import {enqueueMany, promote, type Body} from './schedule.js';

export type {ClaimedEvent, Settled} from './lease.js';

/** Done records stay readable (GET /deferred/:id) this long. */
export const keepDoneMs = 3_600_000;

/** All moves of deferred events, on one client. */
export class DeferredStore {
	/** `k`: the queue's keys (redis/keys.ts deferredKeys); the default queue, message:queue, when not given. */
	constructor(
		readonly redis: Redis,
		readonly k: DeferredKeys = keys.deferred,
	) {}

	/** Stores events, each due after its delay; returns ids and due times (Redis ms). */
	async enqueueMany(items: {body: Body; delayMs: number}[], source = 'api'): Promise<{id: string; due: number}[]> {
		return enqueueMany(this.redis, items, source, this.k);
	}

	async enqueue(body: Body, delayMs: number, source = 'api'): Promise<{id: string; due: number}> {
		const [first] = await this.enqueueMany([{body, delayMs}], source);
		if (!first) throw new Error('enqueue returned nothing');
		return first;
	}

	/** Moves up to `batch` due events to message:queue. */
	async promote(batch = 1000): Promise<{moved: number; nextDue: number | undefined; now: number}> {
		return promote(this.redis, batch, this.k);
	}

	/** Returns expired leases to the queue (or the dead list after the last attempt). */
	async sweep(batch = 1000): Promise<{requeued: number; dead: number; nextExpiry: number | undefined}> {
		return lease.sweep(this.redis, batch, this.k);
	}

	/** Takes up to `n` events, oldest first, each with a lease of `leaseMs`. */
	async claim(n: number, worker: string, leaseMs: number, maxAttempts: number): Promise<{now: number; events: lease.ClaimedEvent[]}> {
		const {now, events} = await lease.settle(this.redis, [], n, {worker, leaseMs, maxAttempts}, keepDoneMs, this.k);
		return {now, events};
	}

	/** A worker's turn in one call: completes `finished`, then takes up to `n` more events. */
	async settle(finished: readonly lease.Held[], n: number, claimer: {worker: string; leaseMs: number; maxAttempts: number}): Promise<lease.Settled> {
		return lease.settle(this.redis, finished, n, claimer, keepDoneMs, this.k);
	}

	/** Extends the leases still held; returns which were (false: lease lost). */
	async renew(held: lease.Held[], leaseMs: number): Promise<{now: number; kept: boolean[]}> {
		return lease.renew(this.redis, held, leaseMs, this.k);
	}

	/** In flight → done for each held lease; false where the lease was lost. */
	async completeMany(held: lease.Held[]): Promise<boolean[]> {
		if (held.length === 0) return [];
		return (await lease.settle(this.redis, held, 0, {worker: '', leaseMs: 0, maxAttempts: 0}, keepDoneMs, this.k)).completed;
	}

	async complete(id: string, token: string): Promise<boolean> {
		const [ok] = await this.completeMany([{id, token}]);
		return ok === true;
	}

	async fail(id: string, token: string, error: string, maxAttempts: number, backoffMs: number, jitter = Math.random()): Promise<lease.FailResult> {
		return lease.fail(this.redis, id, token, error, maxAttempts, backoffMs, jitter, this.k);
	}

	/** Hands held events back to the head of the queue at once. */
	async release(held: lease.Held[]): Promise<number> {
		return lease.release(this.redis, held, this.k);
	}

	/** One dead or scheduled event back to the queue now. */
	async retry(id: string): Promise<{moved: number; problem: string}> {
		return retry(this.redis, id, 1, this.k);
	}

	/** Every dead event back to the queue, in bounded batches. */
	async retryAllDead(batch = 1000): Promise<number> {
		let total = 0;
		for (;;) {
			const {moved} = await retry(this.redis, '', batch, this.k);
			total += moved;
			if (moved < batch) return total;
		}
	}

	/** Deletes one dead or scheduled event: '' when done, else its state ('missing' when there is none). */
	async delete(id: string): Promise<string> {
		return deleteEvent(this.redis, id, this.k);
	}

	async purgeDead(batch = 1000): Promise<number> {
		let total = 0;
		for (;;) {
			const n = await purgeDead(this.redis, batch, this.k);
			total += n;
			if (n < batch) return total;
		}
	}

	/**
	 * One step of marking records of events that a record-less worker (the Go
	 * tool's RPOP) took as "taken"; pass the returned cursor to the next call.
	 */
	async reconcile(cursor = '0', count = 1000): Promise<{cursor: string; taken: number}> {
		return reconcile(this.redis, cursor, count, keepDoneMs, this.k);
	}

	/** Takes or keeps a lock for `ttlMs`; true while this holder has it. */
	async lead(lock: string, holder: string, ttlMs: number): Promise<boolean> {
		return lead(this.redis, lock, holder, ttlMs);
	}

	async resign(lock: string, holder: string): Promise<void> {
		await resign(this.redis, lock, holder);
	}

	/** The record of one event, or undefined. */
	async get(id: string): Promise<Record<string, string> | undefined> {
		const hash = await this.redis.hgetall(this.k.event(id));
		return Object.keys(hash).length > 0 ? hash : undefined;
	}
}
