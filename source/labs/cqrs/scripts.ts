// The CQRS lab's two scripts. The write side checks a command against the
// order, bumps its version and stores the event in one step (the order and its
// event can never disagree). The projector applies one event to the read model
// in one step, once per event id and only forward in version.
import type {Redis} from 'ioredis';
import {keys} from '../../redis/keys.js';
import {luaNowMs} from '../../redis/clock.js';
import {LuaScript} from '../../redis/script.js';
import {defaultRetain} from '../../topics/publish.js';
import {appendLua, envelopeLua} from '../../topics/stream-lua.js';
import {entryMs, indexTopic} from '../../topics/topic-index.js';
import type {Envelope} from '../../topics/envelope.js';
import {HttpError} from '../http.js';
import {cqrsTopic, labKeys, labStateTtlMs} from '../keys.js';
import type {Command} from './model.js';

// Every key carries the lab's topic tag {lab.cqrs.orders} (labs/keys.ts).
// KEYS[1] -> eda:{lab.cqrs.orders}:write:<orderId>
// KEYS[2] -> eda:{lab.cqrs.orders}:stream
// KEYS[3] -> eda:{lab.cqrs.orders}:write-index
// KEYS[4] -> eda:{lab.cqrs.orders}:stats
// ARGV[1] -> orderId, ARGV[2] -> command, ARGV[3] -> allowed statuses (comma list, '' = must not exist),
// ARGV[4] -> new status, ARGV[5] -> expected version ('' = any), ARGV[6] -> patch JSON, ARGV[7] -> event name,
// ARGV[8] -> maxlen, ARGV[9] -> topic, ARGV[10] -> id, ARGV[11] -> source, ARGV[12] -> datacontenttype,
// ARGV[13] -> correlationid, ARGV[14] -> causationid, ARGV[15] -> time
// Returns {'ok', version, entry id, data} or {'err', status, message}.
// The stream entry is built by the same envelope() as every producer-stored
// event (topics/stream-lua.ts), so every reader understands it.
const commandScript = new LuaScript(`${luaNowMs}${appendLua}${envelopeLua}
local function reject(status, message)
  redis.call('HINCRBY', KEYS[4], 'rejected', 1)
  return {'err', status, message}
end
local raw = redis.call('HGET', KEYS[1], 'state')
local state
if raw then state = cjson.decode(raw) end
if ARGV[3] == '' then
  if state then return reject(409, 'order ' .. ARGV[1] .. ' exists already') end
  state = {orderId = ARGV[1], version = 0, placedAt = now}
else
  if not state then return reject(404, 'no order ' .. ARGV[1] .. ' on the write side') end
  local allowed = false
  for s in string.gmatch(ARGV[3], '[^,]+') do if s == state.status then allowed = true end end
  if not allowed then return reject(409, 'cannot ' .. ARGV[2] .. ': order ' .. ARGV[1] .. ' is ' .. state.status) end
end
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= state.version then
  return reject(409, 'order ' .. ARGV[1] .. ' is at version ' .. state.version .. ', not ' .. ARGV[5])
end
local change = cjson.decode(ARGV[6])
change.status = ARGV[4]
change.version = state.version + 1
change.updatedAt = now
if state.version == 0 then change.orderId = ARGV[1]; change.placedAt = now end
for k, v in pairs(change) do state[k] = v end
local encoded = cjson.encode(state)
local data = '{"event":' .. cjson.encode(ARGV[7]) .. ',"orderId":' .. cjson.encode(ARGV[1]) .. ',"version":' .. state.version ..
  ',"change":' .. cjson.encode(change) .. ',"state":' .. encoded .. '}'
local entry = append(KEYS[2], ARGV[8], envelope(ARGV[10], ARGV[11], ARGV[9], ARGV[15], ARGV[12], data, ARGV[13], ARGV[14]))
redis.call('PUBLISH', ARGV[9], data)
redis.call('HSET', KEYS[1], 'state', encoded, 'version', state.version, 'changedAt', now)
redis.call('ZADD', KEYS[3], state.placedAt, ARGV[1])
redis.call('HINCRBY', KEYS[4], 'events', 1)
return {'ok', state.version, entry, data}
`);

// KEYS[1] -> eda:{lab.cqrs.orders}:read:<orderId>
// KEYS[2] -> eda:{lab.cqrs.orders}:read-index
// KEYS[3] -> eda:{lab.cqrs.orders}:stats
// KEYS[4] -> eda:{lab.cqrs.orders}:handled:<group>
// ARGV[1] -> event id, ARGV[2] -> version, ARGV[3] -> state JSON, ARGV[4] -> written at (Redis ms),
// ARGV[5] -> replica, ARGV[6] -> placed at, ARGV[7] -> orderId, ARGV[8] -> handled ttl ms
// Returns {'applied', converge ms}, {'old', current version} or {'duplicate', times}.
const applyScript = new LuaScript(`${luaNowMs}
local n = redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[4], ARGV[8])
if n > 1 then
  redis.call('HINCRBY', KEYS[3], 'duplicates', 1)
  return {'duplicate', n}
end
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if tonumber(ARGV[2]) <= current then
  redis.call('HINCRBY', KEYS[3], 'skipped', 1)
  return {'old', current}
end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'version', ARGV[2], 'writtenAt', ARGV[4], 'appliedAt', now, 'by', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[7])
redis.call('HINCRBY', KEYS[3], 'applied', 1)
return {'applied', now - tonumber(ARGV[4])}
`);

export type Executed = {orderId: string; version: number; entryId: string; data: string};

/** Runs a validated command on the lab's topic; throws HttpError 404/409 when the write side refuses it. */
export async function executeCommand(redis: Redis, command: Command, envelope: Pick<Envelope, 'id' | 'source' | 'time'> & {correlationid?: string; causationid?: string}): Promise<Executed> {
	const reply = (await commandScript.run(redis, [
		labKeys.cqrs.write(command.orderId),
		keys.stream(cqrsTopic),
		labKeys.cqrs.writeIndex,
		labKeys.cqrs.stats,
	], [
		command.orderId,
		command.name,
		command.from.join(','),
		command.to,
		command.expectedVersion ?? '',
		JSON.stringify(command.patch),
		command.event,
		defaultRetain,
		cqrsTopic,
		envelope.id,
		envelope.source,
		'application/json',
		envelope.correlationid ?? command.orderId,
		envelope.causationid ?? '',
		envelope.time,
	])) as [string, number | string, string, string];
	if (reply[0] === 'err') throw new HttpError(Number(reply[1]), String(reply[2]));
	// The event is stored: a failed index write is retried at the next command, not reported.
	await indexTopic(redis, cqrsTopic, entryMs(reply[2])).catch(() => undefined);
	return {orderId: command.orderId, version: Number(reply[1]), entryId: reply[2], data: reply[3]};
}

export type Applied = {outcome: 'applied'; convergeMs: number} | {outcome: 'old'; current: number} | {outcome: 'duplicate'; times: number};

export async function applyEvent(
	redis: Redis,
	group: string,
	event: {id: string; orderId: string; version: number; state: string; writtenAt: number; placedAt: number; replica: string},
): Promise<Applied> {
	const [outcome, value] = (await applyScript.run(redis, [
		labKeys.cqrs.read(event.orderId),
		labKeys.cqrs.readIndex,
		labKeys.cqrs.stats,
		labKeys.cqrs.handled(group),
	], [
		event.id,
		event.version,
		event.state,
		event.writtenAt,
		event.replica,
		event.placedAt,
		event.orderId,
		labStateTtlMs,
	])) as [string, number];
	if (outcome === 'applied') return {outcome, convergeMs: Number(value)};
	if (outcome === 'old') return {outcome, current: Number(value)};
	return {outcome: 'duplicate', times: Number(value)};
}
