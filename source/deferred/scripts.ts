// Every move of a deferred event between stages is one of these Lua scripts:
// Redis runs a script alone, so an event is never in two stages nor in none,
// and several masters or workers can call them at once without double moves.
// Time comes from Redis TIME in ms (luaNowMs), never from a client's clock.
//
// Conventions for all scripts: ARGV[1] is the prefix of event hashes
// (`eda:deferred:event:`), ARGV[2] the prefix of the per-body id lists
// (`eda:deferred:ids:`). message:queue holds plain bodies (the Go tool reads
// and writes them); which id a body belongs to is kept in a list per sha1 of
// the body, in the same FIFO order as the queue: a promote LPUSHes the body
// and RPUSHes the id, a claim RPOPs the body and LPOPs the id.
import {luaNowMs} from '../redis/clock.js';

/**
 * KEYS: seq, scheduled, stats. ARGV: eventPrefix, idsPrefix, source,
 * scheduledChannel, then (body, delayMs) pairs. Returns a flat list of id, due.
 */
export const enqueueLua = `${luaNowMs}
local out = {}
local earliest = nil
for i = 5, #ARGV, 2 do
	local id = tostring(redis.call('INCR', KEYS[1]))
	local due = now + tonumber(ARGV[i + 1])
	redis.call('HSET', ARGV[1] .. id, 'id', id, 'body', ARGV[i], 'state', 'scheduled', 'attempts', 0,
		'due', due, 'created', now, 'source', ARGV[3])
	redis.call('ZADD', KEYS[2], due, id)
	out[#out + 1] = id
	out[#out + 1] = due
	if earliest == nil or due < earliest then earliest = due end
end
redis.call('HINCRBY', KEYS[3], 'enqueued', #out / 2)
if earliest ~= nil then redis.call('PUBLISH', ARGV[4], earliest) end
return out
`;

/**
 * Due events → message:queue, at most ARGV[3] per call (a bounded batch keeps
 * one huge backlog from blocking Redis).
 * KEYS: scheduled, queue, stats. ARGV: eventPrefix, idsPrefix, batch, readyChannel.
 * Returns {moved, next due or -1, now}.
 */
export const promoteLua = `${luaNowMs}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local moved = 0
for _, id in ipairs(ids) do
	local key = ARGV[1] .. id
	local body = redis.call('HGET', key, 'body')
	redis.call('ZREM', KEYS[1], id)
	if body then
		redis.call('LPUSH', KEYS[2], body)
		redis.call('RPUSH', ARGV[2] .. redis.sha1hex(body), id)
		redis.call('HSET', key, 'state', 'ready', 'readyAt', now)
		moved = moved + 1
	end
end
if moved > 0 then
	redis.call('HINCRBY', KEYS[3], 'promoted', moved)
	redis.call('PUBLISH', ARGV[4], moved)
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local nextDue = -1
if first[2] then nextDue = tonumber(first[2]) end
return {moved, nextDue, now}
`;

/**
 * Up to ARGV[3] events from message:queue → in flight. Popping the body, the
 * in-flight entry and its lease are one step, so no taken event is without a
 * lease. A body with no id (LPUSHed by the Go master) gets a record on the spot.
 * KEYS: queue, inflight, stats, seq. ARGV: eventPrefix, idsPrefix, n, leaseMs,
 * worker, maxAttempts. Returns {now, then id, token, body, attempts, due per event}.
 */
export const claimLua = `${luaNowMs}
local out = {now}
local lease = tonumber(ARGV[4])
for i = 1, tonumber(ARGV[3]) do
	local body = redis.call('RPOP', KEYS[1])
	if not body then break end
	local id = redis.call('LPOP', ARGV[2] .. redis.sha1hex(body))
	local key = nil
	if id then key = ARGV[1] .. id end
	if (not id) or redis.call('HGET', key, 'state') ~= 'ready' then
		id = tostring(redis.call('INCR', KEYS[4]))
		key = ARGV[1] .. id
		redis.call('HSET', key, 'id', id, 'body', body, 'attempts', 0, 'due', now, 'created', now,
			'readyAt', now, 'source', 'message:queue')
		redis.call('HINCRBY', KEYS[3], 'enqueued', 1)
	end
	local attempts = redis.call('HINCRBY', key, 'attempts', 1)
	local token = tostring(redis.call('HINCRBY', KEYS[3], 'claimed', 1))
	redis.call('HSET', key, 'state', 'inflight', 'token', token, 'worker', ARGV[5], 'leaseUntil', now + lease,
		'claimedAt', now, 'maxAttempts', ARGV[6])
	redis.call('ZADD', KEYS[2], now + lease, id)
	out[#out + 1] = id
	out[#out + 1] = token
	out[#out + 1] = body
	out[#out + 1] = attempts
	out[#out + 1] = redis.call('HGET', key, 'due')
end
return out
`;

/**
 * Extends leases that this worker still holds (token matches).
 * KEYS: inflight. ARGV: eventPrefix, leaseMs, then (id, token) pairs.
 * Returns {now, 1 or 0 per pair}.
 */
export const renewLua = `${luaNowMs}
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
`;

/**
 * In flight → done, only for the holder of the lease (token matches); a done
 * record expires after ARGV[3] ms so GET /deferred/:id answers for a while.
 * KEYS: inflight, stats. ARGV: eventPrefix, keepMs, then (id, token) pairs.
 * Returns 1 or 0 per pair.
 */
export const completeLua = `${luaNowMs}
local out = {}
local done = 0
for i = 3, #ARGV, 2 do
	local key = ARGV[1] .. ARGV[i]
	local fields = redis.call('HMGET', key, 'state', 'token')
	if fields[1] == 'inflight' and fields[2] == ARGV[i + 1] then
		redis.call('ZREM', KEYS[1], ARGV[i])
		redis.call('HSET', key, 'state', 'done', 'finished', now)
		redis.call('HDEL', key, 'token', 'leaseUntil')
		redis.call('PEXPIRE', key, tonumber(ARGV[2]))
		done = done + 1
		out[#out + 1] = 1
	else
		out[#out + 1] = 0
	end
end
if done > 0 then redis.call('HINCRBY', KEYS[2], 'done', done) end
return out
`;

/**
 * In flight → scheduled again (retry after backoff) or → dead after the last
 * attempt. The delay is "equal jitter": half of base * 2^(attempt-1) plus a
 * random share of the other half, so each retry waits longer than the one
 * before (full jitter could wait less) while two failures still spread out.
 * KEYS: inflight, scheduled, dead, stats. ARGV: eventPrefix, id, token, error,
 * maxAttempts, backoffMs, jitter 0..1, scheduledChannel.
 * Returns {0} (lease not held), {1, due, now} (retry) or {2, now} (dead).
 */
export const failLua = `${luaNowMs}
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
`;

/**
 * In flight → back to the head of message:queue at once (a stopping worker
 * hands back what it holds instead of letting the lease run out). The attempt
 * is not counted. KEYS: inflight, queue. ARGV: eventPrefix, idsPrefix,
 * readyChannel, then (id, token) pairs. Returns how many went back.
 */
export const releaseLua = `
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
`;

/**
 * Expired leases → back to the head of message:queue (RPUSH: next to be
 * taken; its id to the front of its list to keep the FIFO pairing), or → dead
 * when that was the last allowed attempt. Check and move happen in one
 * script, so two masters sweeping at once never requeue an event twice.
 * KEYS: inflight, queue, dead, stats. ARGV: eventPrefix, idsPrefix, batch,
 * readyChannel. Returns {requeued, dead, next lease expiry or -1}.
 */
export const sweepLua = `${luaNowMs}
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
`;

/**
 * Dead or scheduled → message:queue now, attempts reset. With ARGV[4] = ''
 * retries up to ARGV[5] of the oldest dead events; else the one id ARGV[4].
 * KEYS: scheduled, queue, dead, stats. ARGV: eventPrefix, idsPrefix,
 * readyChannel, id or '', batch. Returns {moved, problem} where problem is ''
 * or 'missing' / the state that cannot be retried.
 */
export const retryLua = `${luaNowMs}
local ids
if ARGV[4] ~= '' then ids = {ARGV[4]} else ids = redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[5]) - 1) end
local moved = 0
local problem = ''
for _, id in ipairs(ids) do
	local key = ARGV[1] .. id
	local fields = redis.call('HMGET', key, 'state', 'body')
	if not fields[2] then
		problem = 'missing'
		redis.call('ZREM', KEYS[3], id)
	elseif fields[1] == 'dead' or fields[1] == 'scheduled' then
		redis.call('ZREM', KEYS[3], id)
		redis.call('ZREM', KEYS[1], id)
		redis.call('LPUSH', KEYS[2], fields[2])
		redis.call('RPUSH', ARGV[2] .. redis.sha1hex(fields[2]), id)
		redis.call('HSET', key, 'state', 'ready', 'readyAt', now, 'due', now, 'attempts', 0)
		moved = moved + 1
	else
		problem = fields[1]
	end
end
if moved > 0 then
	redis.call('HINCRBY', KEYS[4], 'retriedByHand', moved)
	redis.call('PUBLISH', ARGV[3], moved)
end
return {moved, problem}
`;

/** Deletes up to ARGV[2] dead events. KEYS: dead. ARGV: eventPrefix, batch. Returns how many. */
export const purgeLua = `
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
for _, id in ipairs(ids) do
	redis.call('DEL', ARGV[1] .. id)
	redis.call('ZREM', KEYS[1], id)
end
return #ids
`;

/**
 * Takes or keeps the lock that says which master re-publishes the Go tool's
 * `master` channel. KEYS: lock. ARGV: holder, ttlMs. Returns 1 when held.
 */
export const leaderLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
	return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return 1 end
return 0
`;

/** Gives the lock up if still held. KEYS: lock. ARGV: holder. */
export const resignLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Records for events a worker that keeps no record took (the Go tool's RPOP
 * on message:queue) would stay "ready" forever. While message:queue is empty
 * every id list left is such an orphan (our moves push and pop a body and its
 * id together), so one SCAN step marks those records "taken" and drops the
 * lists. Checked and done in one script, so no list of a body that is still
 * queued is ever touched. KEYS: queue, stats. ARGV: eventPrefix, idsPrefix,
 * cursor, count, keepMs. Returns {next cursor, records marked}.
 */
export const reconcileLua = `${luaNowMs}
if redis.call('LLEN', KEYS[1]) > 0 then return {'0', 0} end
local res = redis.call('SCAN', ARGV[3], 'MATCH', ARGV[2] .. '*', 'COUNT', tonumber(ARGV[4]))
local n = 0
for _, listKey in ipairs(res[2]) do
	for _, id in ipairs(redis.call('LRANGE', listKey, 0, -1)) do
		local key = ARGV[1] .. id
		if redis.call('HGET', key, 'state') == 'ready' then
			redis.call('HSET', key, 'state', 'taken', 'finished', now,
				'note', 'taken from message:queue by a worker that keeps no record (such as the Go tool)')
			redis.call('PEXPIRE', key, tonumber(ARGV[5]))
			n = n + 1
		end
	end
	redis.call('DEL', listKey)
end
if n > 0 then redis.call('HINCRBY', KEYS[2], 'taken', n) end
return {res[1], n}
`;
