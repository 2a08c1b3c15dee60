// The CQRS lab's scripts. The write side runs a command in two steps: the
// first checks it against the order and answers the event it would store (the
// order after it, and the event's data), writing only a refusal's count; that
// data is checked against the topic's declared schema like every other write
// path's (portal/enforce.ts); the second stores the order and appends its
// event in one step, only if the order is still at the version the first step
// saw (the order and its event can never disagree, and what is stored is what
// was checked). The projector applies one event to the read model in one
// step, once per event id and only forward in version.
import type {Redis} from 'ioredis';
import {checkEvents, type Warning} from '../../portal/enforce.js';
import {keys} from '../../redis/keys.js';
import {luaNowMs} from '../../redis/clock.js';
import {LuaScript} from '../../redis/script.js';
import {defaultRetain} from '../../topics/publish.js';
import {appendLua, envelopeLua} from '../../topics/stream-lua.js';
import {entryMs, indexTopic} from '../../topics/topic-index.js';
import type {Envelope, OutgoingEvent} from '../../topics/envelope.js';
import {HttpError} from '../http.js';
import {cqrsTopic, labKeys, labStateTtlMs} from '../keys.js';
import type {Command} from './model.js';

// Every key carries the lab's topic tag {lab.cqrs.orders} (labs/keys.ts).
// KEYS[1] -> eda:{lab.cqrs.orders}:write:<orderId>
// KEYS[2] -> eda:{lab.cqrs.orders}:stats
// ARGV[1] -> orderId, ARGV[2] -> command, ARGV[3] -> allowed statuses (comma list, '' = must not exist),
// ARGV[4] -> new status, ARGV[5] -> expected version ('' = any), ARGV[6] -> patch JSON, ARGV[7] -> event name
// Returns {'ok', version now, new version, placed at, state JSON, data} or
// {'err', status, message}. Writes only the refusal counter: the order and its
// event are stored by the commit script.
const prepareScript = new LuaScript(`${luaNowMs}
local function reject(status, message)
  redis.call('HINCRBY', KEYS[2], 'rejected', 1)
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
local seen = state.version
local change = cjson.decode(ARGV[6])
change.status = ARGV[4]
change.version = state.version + 1
change.updatedAt = now
if state.version == 0 then change.orderId = ARGV[1]; change.placedAt = now end
for k, v in pairs(change) do state[k] = v end
local encoded = cjson.encode(state)
local data = '{"event":' .. cjson.encode(ARGV[7]) .. ',"orderId":' .. cjson.encode(ARGV[1]) .. ',"version":' .. state.version ..
  ',"change":' .. cjson.encode(change) .. ',"state":' .. encoded .. '}'
return {'ok', seen, state.version, state.placedAt, encoded, data}
`);

// KEYS[1] -> eda:{lab.cqrs.orders}:write:<orderId>
// KEYS[2] -> eda:{lab.cqrs.orders}:stream
// KEYS[3] -> eda:{lab.cqrs.orders}:write-index
// KEYS[4] -> eda:{lab.cqrs.orders}:stats
// KEYS[5] -> eda:{lab.cqrs.orders}:schema:flagged
// ARGV[1] -> orderId, ARGV[2] -> the version the prepare script saw (0: no order), ARGV[3] -> new version,
// ARGV[4] -> state JSON, ARGV[5] -> data, ARGV[6] -> placed at, ARGV[7] -> 1 when the data fails the
// declared schema (warn mode), else 0, ARGV[8] -> maxlen, ARGV[9] -> topic, ARGV[10] -> id, ARGV[11] -> source,
// ARGV[12] -> datacontenttype, ARGV[13] -> correlationid, ARGV[14] -> causationid, ARGV[15] -> time
// Returns {'ok', entry id}, or {'moved', version now} when the order changed
// since the prepare script (nothing written).
// The stream entry is built by the same envelope() as every producer-stored
// event (topics/stream-lua.ts), so every reader understands it.
const commitScript = new LuaScript(`${luaNowMs}${appendLua}${envelopeLua}
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[2]) then return {'moved', current} end
local entry = append(KEYS[2], ARGV[8], envelope(ARGV[10], ARGV[11], ARGV[9], ARGV[15], ARGV[12], ARGV[5], ARGV[13], ARGV[14]))
redis.call('PUBLISH', ARGV[9], ARGV[5])
redis.call('HSET', KEYS[1], 'state', ARGV[4], 'version', ARGV[3], 'changedAt', now)
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
redis.call('HINCRBY', KEYS[4], 'events', 1)
if ARGV[7] ~= '0' then redis.call('INCRBY', KEYS[5], ARGV[7]) end
return {'ok', entry}
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

/** What a command stored; warnings when the declared schema is in warn mode and the event fails it. */
export type Executed = {orderId: string; version: number; entryId: string; data: string; warnings?: Warning[]; flagged?: number};

/** Times a command is run again when its order changed between the check and the write (another command got there first). */
export const commandAttempts = 10;

/**
 * Runs a validated command on the lab's topic. Throws HttpError 404/409 when
 * the write side refuses it, and SchemaRefused (422) when its event fails the
 * topic's declared schema in enforce mode; either way nothing is stored.
 */
export async function executeCommand(redis: Redis, command: Command, envelope: Pick<Envelope, 'id' | 'source' | 'time'> & {correlationid?: string; causationid?: string}): Promise<Executed> {
	for (let attempt = 1; attempt <= commandAttempts; attempt++) {
		const prepared = (await prepareScript.run(redis, [labKeys.cqrs.write(command.orderId), labKeys.cqrs.stats], [
			command.orderId,
			command.name,
			command.from.join(','),
			command.to,
			command.expectedVersion ?? '',
			JSON.stringify(command.patch),
			command.event,
		])) as [string, number | string, number | string, number | string, string, string];
		if (prepared[0] === 'err') throw new HttpError(Number(prepared[1]), String(prepared[2]));
		const [, seen, version, placedAt, state, data] = prepared;
		const correlationid = envelope.correlationid ?? command.orderId;
		const event: OutgoingEvent = {
			envelope: {
				specversion: '1.0',
				id: envelope.id,
				source: envelope.source,
				type: cqrsTopic,
				time: envelope.time,
				datacontenttype: 'application/json',
				data,
				correlationid,
				...(envelope.causationid ? {causationid: envelope.causationid} : {}),
			},
			wire: data,
		};
		let flagged: number;
		let warnings: Warning[] | undefined;
		try {
			({flagged, warnings} = await checkEvents(redis, cqrsTopic, [event]));
		} catch (error) {
			// Refused by the declared schema: counted with the write side's refusals, nothing else written.
			await redis.hincrby(labKeys.cqrs.stats, 'rejected', 1).catch(() => undefined);
			throw error;
		}
		const reply = (await commitScript.run(redis, [
			labKeys.cqrs.write(command.orderId),
			keys.stream(cqrsTopic),
			labKeys.cqrs.writeIndex,
			labKeys.cqrs.stats,
			keys.portal.schemaFlagged(cqrsTopic),
		], [
			command.orderId,
			seen,
			version,
			state,
			data,
			placedAt,
			flagged,
			defaultRetain,
			cqrsTopic,
			envelope.id,
			envelope.source,
			'application/json',
			correlationid,
			envelope.causationid ?? '',
			envelope.time,
		])) as [string, string | number];
		if (reply[0] === 'moved') continue; // another command changed the order first: check this one again
		const entryId = String(reply[1]);
		// The event is stored: a failed index write is retried at the next command, not reported.
		await indexTopic(redis, cqrsTopic, entryMs(entryId)).catch(() => undefined);
		return {orderId: command.orderId, version: Number(version), entryId, data, ...(warnings ? {warnings, flagged} : {})};
	}
	await redis.hincrby(labKeys.cqrs.stats, 'rejected', 1).catch(() => undefined);
	throw new HttpError(409, `order ${command.orderId} kept changing while ${command.name} ran (${commandAttempts} tries); try again`);
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
