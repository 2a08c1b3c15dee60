// Leases: a worker takes events from message:queue with a lease, renews it
// while it works, and ends it by completing, failing or handing the event
// back; a master sweeps leases that ran out. Check and move are one script
// each, so a lease is never held twice and never lost between stages.
import type {Redis} from 'ioredis';
import {luaNowMs} from '../redis/clock.js';
import {keys, type DeferredKeys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';

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

export type Held = {id: string; token: string};

const pairs = (held: Held[]) => held.flatMap((h) => [h.id, h.token]);

// A worker's one call per turn: the events it finished, in flight → done,
// then up to n more from message:queue → in flight (n = its free slots).
// Completing and claiming in one script halves the round trips of a busy
// worker, and each half stays what it was on its own:
// - done only for the holder of the lease (token matches); a done record
//   expires after a while, so GET /deferred/:id answers for that long;
// - popping a body, its in-flight entry and its lease are one step, so no
//   taken event is without a lease. A body with no id (LPUSHed by the Go
//   master) gets a record on the spot.
// Per event only what must be per event (its id; its record read once and
// written once); the pop (RPOP with a count), the tokens (one HINCRBY: token
// i is the counter's old value + i), the in-flight ZADD and ZREM go once.
// KEYS[1] -> message:queue
// KEYS[2] -> eda:{message:queue}:inflight
// KEYS[3] -> eda:{message:queue}:stats
// KEYS[4] -> eda:{message:queue}:seq
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> eda:{message:queue}:ids:
// ARGV[3] -> n to claim
// ARGV[4] -> lease ms
// ARGV[5] -> worker name
// ARGV[6] -> max attempts
// ARGV[7] -> ms a done record is kept
// ARGV[8..] -> id, token, per finished event
// Returns {now, {1 or 0 per finished event}, then id, token, body, attempts, due per claimed event}.
const settleScript = new LuaScript(`${luaNowMs}
local flags = {}
local done = {}
for i = 8, #ARGV, 2 do
	local key = ARGV[1] .. ARGV[i]
	local fields = redis.call('HMGET', key, 'state', 'token')
	if fields[1] == 'inflight' and fields[2] == ARGV[i + 1] then
		redis.call('HSET', key, 'state', 'done', 'finished', now)
		redis.call('HDEL', key, 'token', 'leaseUntil')
		redis.call('PEXPIRE', key, ARGV[7])
		done[#done + 1] = ARGV[i]
		flags[#flags + 1] = 1
	else
		flags[#flags + 1] = 0
	end
end
-- In chunks: unpack has a stack limit, and a batch may be thousands long.
for i = 1, #done, 1000 do
	redis.call('ZREM', KEYS[2], unpack(done, i, math.min(i + 999, #done)))
end
if #done > 0 then redis.call('HINCRBY', KEYS[3], 'done', #done) end
local out = {now, flags}
local n = tonumber(ARGV[3])
local bodies = n > 0 and redis.call('RPOP', KEYS[1], n)
if not bodies then return out end
local untilMs = now + tonumber(ARGV[4])
local token = redis.call('HINCRBY', KEYS[3], 'claimed', #bodies) - #bodies
local leases = {}
local fresh = 0
for _, body in ipairs(bodies) do
	local id = redis.call('LPOP', ARGV[2] .. redis.sha1hex(body))
	local key, attempts, due
	if id then
		key = ARGV[1] .. id
		local f = redis.call('HMGET', key, 'state', 'attempts', 'due')
		if f[1] == 'ready' then
			attempts = (tonumber(f[2]) or 0) + 1
			due = f[3]
		else
			id = nil
		end
	end
	if not id then
		id = tostring(redis.call('INCR', KEYS[4]))
		key = ARGV[1] .. id
		attempts, due = 1, now
		redis.call('HSET', key, 'id', id, 'body', body, 'due', now, 'created', now, 'readyAt', now, 'source', 'message:queue')
		fresh = fresh + 1
	end
	token = token + 1
	redis.call('HSET', key, 'state', 'inflight', 'attempts', attempts, 'token', token, 'worker', ARGV[5],
		'leaseUntil', untilMs, 'claimedAt', now, 'maxAttempts', ARGV[6])
	leases[#leases + 1] = untilMs
	leases[#leases + 1] = id
	out[#out + 1] = id
	out[#out + 1] = tostring(token)
	out[#out + 1] = body
	out[#out + 1] = attempts
	out[#out + 1] = due
end
for i = 1, #leases, 1000 do
	redis.call('ZADD', KEYS[2], unpack(leases, i, math.min(i + 999, #leases)))
end
if fresh > 0 then redis.call('HINCRBY', KEYS[3], 'enqueued', fresh) end
return out
`);

export type Settled = {now: number; completed: boolean[]; events: ClaimedEvent[]};

/** Completes `finished` (false where the lease was lost), then takes up to `n` events, oldest first, each with a lease of `leaseMs`. */
export async function settle(
	redis: Redis,
	finished: readonly Held[],
	n: number,
	claimer: {worker: string; leaseMs: number; maxAttempts: number},
	keepDoneMs: number,
	k: DeferredKeys = keys.deferred,
): Promise<Settled> {
	const args: (string | number)[] = [k.event(''), k.idsForBody(''), n, claimer.leaseMs, claimer.worker, claimer.maxAttempts, keepDoneMs];
	for (const h of finished) args.push(h.id, h.token);
	const reply = (await settleScript.run(redis, [k.work, k.inflight, k.stats, k.seq], args)) as unknown[];
	const now = Number(reply[0]);
	const flags = reply[1] as unknown[];
	const completed = new Array<boolean>(flags.length);
	for (let i = 0; i < flags.length; i++) completed[i] = Number(flags[i]) === 1;
	const leaseUntil = now + claimer.leaseMs;
	const events: ClaimedEvent[] = [];
	for (let i = 2; i + 4 < reply.length; i += 5) {
		events.push({
			id: String(reply[i]),
			token: String(reply[i + 1]),
			body: String(reply[i + 2]),
			attempts: Number(reply[i + 3]),
			due: Number(reply[i + 4]),
			leaseUntil,
			claimedAt: now,
		});
	}
	return {now, completed, events};
}

// Extends the leases this worker still holds (token matches).
// KEYS[1] -> eda:{message:queue}:inflight
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> lease ms
// ARGV[3..] -> id, token, per lease
// Returns {now, 1 or 0 per lease}.
const renewScript = new LuaScript(`${luaNowMs}
local out = {now}
for i = 3, #ARGV, 2 do
	local key = ARGV[1] .. ARGV[i]
	local fields = redis.call('HMGET', key, 'state', 'token')
	if fields[1] == 'inflight' and fields[2] == ARGV[i + 1] then
		local untilMs = now + tonumber(ARGV[2])
		redis.call('ZADD', KEYS[1], 'XX', untilMs, ARGV[i])
		redis.call('HSET', key, 'leaseUntil', untilMs)
		out[#out + 1] = 1
	else
		out[#out + 1] = 0
	end
end
return out
`);

/** Extends the leases still held; returns which were (false: lease lost). */
export async function renew(redis: Redis, held: Held[], leaseMs: number, k: DeferredKeys = keys.deferred): Promise<{now: number; kept: boolean[]}> {
	if (held.length === 0) return {now: 0, kept: []};
	const reply = (await renewScript.run(redis, [k.inflight], [k.event(''), leaseMs, ...pairs(held)])) as unknown[];
	return {now: Number(reply[0]), kept: reply.slice(1).map((v) => Number(v) === 1)};
}

// In flight → scheduled again (retry after backoff) or → dead after the last
// attempt. The delay is "equal jitter": half of base * 2^(attempt-1) plus a
// random share of the other half, so each retry waits longer than the one
// before (full jitter could wait less) while two failures still spread out.
// KEYS[1] -> eda:{message:queue}:inflight
// KEYS[2] -> eda:{message:queue}:scheduled
// KEYS[3] -> eda:{message:queue}:dead
// KEYS[4] -> eda:{message:queue}:stats
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> id
// ARGV[3] -> token
// ARGV[4] -> error text
// ARGV[5] -> max attempts
// ARGV[6] -> backoff base ms
// ARGV[7] -> jitter, 0..1
// ARGV[8] -> channel eda:deferred:scheduled
// Returns {0} (lease not held), {1, due, now} (retry) or {2, now} (dead).
const failScript = new LuaScript(`${luaNowMs}
local key = ARGV[1] .. ARGV[2]
local fields = redis.call('HMGET', key, 'state', 'token', 'attempts')
if fields[1] ~= 'inflight' or fields[2] ~= ARGV[3] then return {0} end
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', key, 'token', 'leaseUntil')
local attempts = tonumber(fields[3]) or 1
if attempts >= tonumber(ARGV[5]) then
	redis.call('HSET', key, 'state', 'dead', 'lastError', ARGV[4], 'failedAt', now, 'diedAt', now)
	redis.call('ZADD', KEYS[3], now, ARGV[2])
	redis.call('HINCRBY', KEYS[4], 'dead', 1)
	return {2, now}
end
local cap = tonumber(ARGV[6]) * math.pow(2, math.min(attempts - 1, 30))
if cap > 3600000 then cap = 3600000 end
local due = now + math.floor(cap / 2 + tonumber(ARGV[7]) * cap / 2)
redis.call('HSET', key, 'state', 'scheduled', 'due', due, 'lastError', ARGV[4], 'failedAt', now)
redis.call('ZADD', KEYS[2], due, ARGV[2])
redis.call('HINCRBY', KEYS[4], 'retried', 1)
redis.call('PUBLISH', ARGV[8], due)
return {1, due, now}
`);

export async function fail(redis: Redis, id: string, token: string, error: string, maxAttempts: number, backoffMs: number, jitter: number, k: DeferredKeys = keys.deferred): Promise<FailResult> {
	const reply = (await failScript.run(
		redis,
		[k.inflight, k.scheduled, k.dead, k.stats],
		[k.event(''), id, token, error, maxAttempts, backoffMs, jitter, k.scheduledChannel],
	)) as unknown[];
	const code = Number(reply[0]);
	if (code === 1) return {outcome: 'retry', due: Number(reply[1]), failedAt: Number(reply[2])};
	if (code === 2) return {outcome: 'dead', at: Number(reply[1])};
	return {outcome: 'lost'};
}

// In flight → back to the head of message:queue at once (a stopping worker
// hands back what it holds instead of letting the lease run out). The attempt
// is not counted.
// KEYS[1] -> eda:{message:queue}:inflight
// KEYS[2] -> message:queue
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> eda:{message:queue}:ids:
// ARGV[3] -> channel eda:deferred:ready
// ARGV[4..] -> id, token, per lease
// Returns how many went back.
const releaseScript = new LuaScript(`
local n = 0
for i = 4, #ARGV, 2 do
	local key = ARGV[1] .. ARGV[i]
	local fields = redis.call('HMGET', key, 'state', 'token', 'body')
	if fields[1] == 'inflight' and fields[2] == ARGV[i + 1] and fields[3] then
		redis.call('ZREM', KEYS[1], ARGV[i])
		redis.call('RPUSH', KEYS[2], fields[3])
		redis.call('LPUSH', ARGV[2] .. redis.sha1hex(fields[3]), ARGV[i])
		redis.call('HSET', key, 'state', 'ready')
		redis.call('HINCRBY', key, 'attempts', -1)
		redis.call('HDEL', key, 'token', 'leaseUntil', 'worker')
		n = n + 1
	end
end
if n > 0 then redis.call('PUBLISH', ARGV[3], n) end
return n
`);

/** Hands held events back to the head of the queue at once. */
export async function release(redis: Redis, held: Held[], k: DeferredKeys = keys.deferred): Promise<number> {
	if (held.length === 0) return 0;
	return Number(await releaseScript.run(
		redis,
		[k.inflight, k.work],
		[k.event(''), k.idsForBody(''), k.readyChannel, ...pairs(held)],
	));
}

// Expired leases → back to the head of message:queue (RPUSH: next to be
// taken; its id to the front of its list to keep the FIFO pairing), or → dead
// when that was the last allowed attempt. Check and move happen in one
// script, so two masters sweeping at once never requeue an event twice.
// KEYS[1] -> eda:{message:queue}:inflight
// KEYS[2] -> message:queue
// KEYS[3] -> eda:{message:queue}:dead
// KEYS[4] -> eda:{message:queue}:stats
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> eda:{message:queue}:ids:
// ARGV[3] -> batch size
// ARGV[4] -> channel eda:deferred:ready
// Returns {requeued, dead, next lease expiry or -1}.
const sweepScript = new LuaScript(`${luaNowMs}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local requeued, dead = 0, 0
for _, id in ipairs(ids) do
	local key = ARGV[1] .. id
	redis.call('ZREM', KEYS[1], id)
	local fields = redis.call('HMGET', key, 'body', 'attempts', 'maxAttempts', 'worker')
	if fields[1] then
		local attempts = tonumber(fields[2]) or 0
		local max = tonumber(fields[3]) or 0
		local why = 'lease expired on attempt ' .. attempts .. ' (worker ' .. (fields[4] or '?') .. ' stopped or stalled)'
		redis.call('HDEL', key, 'token', 'leaseUntil')
		if max > 0 and attempts >= max then
			redis.call('HSET', key, 'state', 'dead', 'lastError', why, 'failedAt', now, 'diedAt', now)
			redis.call('ZADD', KEYS[3], now, id)
			dead = dead + 1
		else
			redis.call('RPUSH', KEYS[2], fields[1])
			redis.call('LPUSH', ARGV[2] .. redis.sha1hex(fields[1]), id)
			redis.call('HSET', key, 'state', 'ready', 'lastError', why, 'readyAt', now)
			requeued = requeued + 1
		end
	end
end
if requeued > 0 then
	redis.call('HINCRBY', KEYS[4], 'expired', requeued)
	redis.call('PUBLISH', ARGV[4], requeued)
end
if dead > 0 then redis.call('HINCRBY', KEYS[4], 'dead', dead) end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local nextExpiry = -1
if first[2] then nextExpiry = tonumber(first[2]) end
return {requeued, dead, nextExpiry}
`);

/** Returns expired leases to the queue (or the dead list after the last attempt). */
export async function sweep(redis: Redis, batch: number, k: DeferredKeys = keys.deferred): Promise<{requeued: number; dead: number; nextExpiry: number | undefined}> {
	const [requeued, dead, nextExpiry] = (await sweepScript.run(
		redis,
		[k.inflight, k.work, k.dead, k.stats],
		[k.event(''), k.idsForBody(''), batch, k.readyChannel],
	)) as unknown[];
	return {requeued: Number(requeued), dead: Number(dead), nextExpiry: Number(nextExpiry) < 0 ? undefined : Number(nextExpiry)};
}
