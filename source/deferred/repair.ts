// By hand and by the master: dead or scheduled events back to the queue,
// dead events deleted, and records of events the Go tool took marked taken.
import type {Redis} from 'ioredis';
import {luaNowMs} from '../redis/clock.js';
import {keys, type DeferredKeys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';

// Dead or scheduled → message:queue now, attempts reset: the one id given, or
// with id '' up to a batch of the oldest dead events.
// KEYS[1] -> eda:{message:queue}:scheduled
// KEYS[2] -> message:queue
// KEYS[3] -> eda:{message:queue}:dead
// KEYS[4] -> eda:{message:queue}:stats
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> eda:{message:queue}:ids:
// ARGV[3] -> channel eda:deferred:ready
// ARGV[4] -> id, or '' for the oldest dead
// ARGV[5] -> batch size
// Returns {moved, problem}: problem is '' or 'missing' / the state that cannot be retried.
const retryScript = new LuaScript(`${luaNowMs}
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
`);

/** One event (`id`), or with id '' up to `batch` of the oldest dead, back to the queue now. */
export async function retry(redis: Redis, id: string, batch: number, k: DeferredKeys = keys.deferred): Promise<{moved: number; problem: string}> {
	const [moved, problem] = (await retryScript.run(
		redis,
		[k.scheduled, k.work, k.dead, k.stats],
		[k.event(''), k.idsForBody(''), k.readyChannel, id, batch],
	)) as unknown[];
	return {moved: Number(moved), problem: String(problem ?? '')};
}

// Deletes up to a batch of dead events.
// KEYS[1] -> eda:{message:queue}:dead
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> batch size
// Returns how many.
const purgeScript = new LuaScript(`
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
for _, id in ipairs(ids) do
	redis.call('DEL', ARGV[1] .. id)
	redis.call('ZREM', KEYS[1], id)
end
return #ids
`);

/** Deletes up to `batch` dead events; returns how many. */
export async function purgeDead(redis: Redis, batch: number, k: DeferredKeys = keys.deferred): Promise<number> {
	return Number(await purgeScript.run(redis, [k.dead], [k.event(''), batch]));
}

// Records for events a worker that keeps no record took (the Go tool's RPOP
// on message:queue) would stay "ready" forever. While message:queue is empty
// every id list left is such an orphan (our moves push and pop a body and its
// id together), so one SCAN step marks those records "taken" and drops the
// lists. Checked and done in one script, so no list of a body that is still
// queued is ever touched. The lists match `eda:{message:queue}:ids:*`, all in
// this script's slot; on a cluster the SCAN runs on the node that owns it.
// KEYS[1] -> message:queue
// KEYS[2] -> eda:{message:queue}:stats
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> eda:{message:queue}:ids:
// ARGV[3] -> SCAN cursor
// ARGV[4] -> SCAN count
// ARGV[5] -> ms a taken record is kept
// Returns {next cursor, records marked}.
const reconcileScript = new LuaScript(`${luaNowMs}
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
`);

/** One SCAN step of reconcile; pass the returned cursor to the next call. */
export async function reconcile(redis: Redis, cursor: string, count: number, keepMs: number, k: DeferredKeys = keys.deferred): Promise<{cursor: string; taken: number}> {
	const [next, taken] = (await reconcileScript.run(
		redis,
		[k.work, k.stats],
		[k.event(''), k.idsForBody(''), cursor, count, keepMs],
	)) as unknown[];
	return {cursor: String(next), taken: Number(taken)};
}

// One dead or scheduled event deleted (the dashboard's delete key): its record
// and its place in the dead or scheduled set go together. Events in the queue
// or in flight are left alone: a worker may hold them.
// KEYS[1] -> eda:{message:queue}:event:<id>
// KEYS[2] -> eda:{message:queue}:dead
// KEYS[3] -> eda:{message:queue}:scheduled
// ARGV[1] -> id
// Returns '' when deleted, else the state that kept it ('missing' when none).
const deleteScript = new LuaScript(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state ~= 'dead' and state ~= 'scheduled' then return state end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return ''
`);

/** Deletes one dead or scheduled event; answers '' when it did, else why not (its state, or 'missing'). */
export async function deleteEvent(redis: Redis, id: string, k: DeferredKeys = keys.deferred): Promise<string> {
	return String(await deleteScript.run(redis, [k.event(id), k.dead, k.scheduled], [id]));
}
