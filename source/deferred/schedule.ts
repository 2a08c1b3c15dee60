// Into the schedule and out of it: storing events with a due time, and moving
// the due ones to message:queue. See store.ts for how a body in message:queue
// is paired with its id.
import type {Redis} from 'ioredis';
import {luaNowMs} from '../redis/clock.js';
import {keys, type DeferredKeys} from '../redis/keys.js';
import {LuaScript, type ScriptArg} from '../redis/script.js';

export type Body = string | Buffer;

// Stores events, each due after its delay; wakes masters with the earliest due.
// KEYS[1] -> eda:{message:queue}:seq
// KEYS[2] -> eda:{message:queue}:scheduled
// KEYS[3] -> eda:{message:queue}:stats
// ARGV[1] -> eda:{message:queue}:event: (event record prefix)
// ARGV[2] -> source recorded on each event
// ARGV[3] -> channel eda:deferred:scheduled
// ARGV[4..] -> body, delay ms, per event
// Returns a flat list: id, due (Redis ms) per event.
const enqueueScript = new LuaScript(`${luaNowMs}
local out = {}
local earliest = nil
for i = 4, #ARGV, 2 do
	local id = tostring(redis.call('INCR', KEYS[1]))
	local due = now + tonumber(ARGV[i + 1])
	redis.call('HSET', ARGV[1] .. id, 'id', id, 'body', ARGV[i], 'state', 'scheduled', 'attempts', 0,
		'due', due, 'created', now, 'source', ARGV[2])
	redis.call('ZADD', KEYS[2], due, id)
	out[#out + 1] = id
	out[#out + 1] = due
	if earliest == nil or due < earliest then earliest = due end
end
redis.call('HINCRBY', KEYS[3], 'enqueued', #out / 2)
if earliest ~= nil then redis.call('PUBLISH', ARGV[3], earliest) end
return out
`);

/** Stores events, each due after its delay; returns ids and due times (Redis ms). */
export async function enqueueMany(redis: Redis, items: {body: Body; delayMs: number}[], source: string, k: DeferredKeys = keys.deferred): Promise<{id: string; due: number}[]> {
	if (items.length === 0) return [];
	const args: ScriptArg[] = [k.event(''), source, k.scheduledChannel];
	for (const item of items) args.push(item.body, Math.max(0, Math.round(item.delayMs)));
	const reply = (await enqueueScript.run(redis, [k.seq, k.scheduled, k.stats], args)) as unknown[];
	const out: {id: string; due: number}[] = [];
	for (let i = 0; i < reply.length; i += 2) out.push({id: String(reply[i]), due: Number(reply[i + 1])});
	return out;
}

// Due events → message:queue, a bounded batch per call (one huge backlog must
// not block Redis); wakes idle workers.
// KEYS[1] -> eda:{message:queue}:scheduled
// KEYS[2] -> message:queue
// KEYS[3] -> eda:{message:queue}:stats
// ARGV[1] -> eda:{message:queue}:event:
// ARGV[2] -> eda:{message:queue}:ids:
// ARGV[3] -> batch size
// ARGV[4] -> channel eda:deferred:ready
// Returns {moved, next due or -1, now}.
const promoteScript = new LuaScript(`${luaNowMs}
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
`);

/** Moves up to `batch` due events to message:queue. */
export async function promote(redis: Redis, batch: number, k: DeferredKeys = keys.deferred): Promise<{moved: number; nextDue: number | undefined; now: number}> {
	const [moved, nextDue, now] = (await promoteScript.run(
		redis,
		[k.scheduled, k.work, k.stats],
		[k.event(''), k.idsForBody(''), batch, k.readyChannel],
	)) as unknown[];
	return {moved: Number(moved), nextDue: Number(nextDue) < 0 ? undefined : Number(nextDue), now: Number(now)};
}
