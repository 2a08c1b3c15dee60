import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';
import type {OutgoingEvent} from './envelope.js';

export const defaultRetain = 10_000;

// Both publish scripts end alike: count the topic's events and note when the
// last one came. The stream id starts with Redis's ms time, so no TIME call.
const countTail = `
redis.call('HINCRBY', KEYS[2], topic, n)
redis.call('HSET', KEYS[3], topic, string.match(ids[#ids], '^%d+'))
return ids
`;

// One script per request: every event of it is appended to the topic's stream,
// PUBLISHed byte for byte on the topic's channel (what the Go tool's consumers
// and redis-cli SUBSCRIBE see), and counted, or none is.
const publishScript = `
local topic = ARGV[1]
local maxlen = ARGV[2]
local per = 8
local ids = {}
local n = (#ARGV - 2) / per
for i = 0, n - 1 do
  local b = 2 + i * per
  local fields = {'specversion', '1.0', 'id', ARGV[b + 2], 'source', ARGV[b + 3], 'type', topic, 'time', ARGV[b + 4], 'datacontenttype', ARGV[b + 5], 'data', ARGV[b + 6]}
  if ARGV[b + 7] ~= '' then fields[#fields + 1] = 'correlationid'; fields[#fields + 1] = ARGV[b + 7] end
  if ARGV[b + 8] ~= '' then fields[#fields + 1] = 'causationid'; fields[#fields + 1] = ARGV[b + 8] end
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', unpack(fields))
  local wire = ARGV[b + 1]
  if wire == '' then wire = ARGV[b + 6] end
  redis.call('PUBLISH', topic, wire)
end
${countTail}`;

// Batches: every event of the request shares source, time, content
// type and correlation (one POST, one JSON array or NDJSON body). Those go
// once; per event only the id, the data and, when it differs, the wire bytes.
const publishSharedScript = `
local topic = ARGV[1]
local per = tonumber(ARGV[8])
local fields = {'specversion', '1.0', 'id', '', 'source', ARGV[3], 'type', topic, 'time', ARGV[4], 'datacontenttype', ARGV[5], 'data', ''}
if ARGV[6] ~= '' then fields[#fields + 1] = 'correlationid'; fields[#fields + 1] = ARGV[6] end
if ARGV[7] ~= '' then fields[#fields + 1] = 'causationid'; fields[#fields + 1] = ARGV[7] end
local ids = {}
local n = (#ARGV - 8) / per
for i = 0, n - 1 do
  local b = 8 + i * per
  fields[4] = ARGV[b + 1]
  fields[14] = ARGV[b + 2]
  ids[#ids + 1] = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
  local wire = ARGV[b + 2]
  if per == 3 and ARGV[b + 3] ~= '' then wire = ARGV[b + 3] end
  redis.call('PUBLISH', topic, wire)
end
${countTail}`;

type Arg = string | number | Buffer;

const publish = new LuaScript(publishScript, 3);
const publishShared = new LuaScript(publishSharedScript, 3);

/** The most events one request may store: one script, so Redis is blocked for its length. */
export const maxBatchEvents = 5000;

function shared(events: OutgoingEvent[]): boolean {
	const first = events[0]?.envelope;
	if (!first) return false;
	for (const {envelope: e} of events) {
		if (e.source !== first.source || e.time !== first.time || e.datacontenttype !== first.datacontenttype || e.correlationid !== first.correlationid || e.causationid !== first.causationid) return false;
	}
	return true;
}

/**
 * Stores and broadcasts events on one topic in one atomic step. Resolves with
 * the stream entry ids; rejects when Redis did not take them (nothing stored).
 */
export async function publishEvents(redis: Redis, topic: string, events: OutgoingEvent[], retain = defaultRetain): Promise<string[]> {
	if (events.length === 0) return [];
	if (events.length > maxBatchEvents) throw new RangeError(`a batch holds at most ${maxBatchEvents} events`);
	if (events.length > 1 && shared(events)) {
		const first = (events[0] as OutgoingEvent).envelope;
		const withWire = events.some(({envelope, wire}) => wire !== envelope.data);
		const args: Arg[] = [keys.stream(topic), keys.topics, keys.topicsLastAt, topic, retain, first.source, first.time, first.datacontenttype, first.correlationid ?? '', first.causationid ?? '', withWire ? 3 : 2];
		for (const {envelope, wire} of events) {
			if (withWire) args.push(envelope.id, envelope.data, wire === envelope.data ? '' : wire);
			else args.push(envelope.id, envelope.data);
		}
		return (await publishShared.run(redis, args)) as string[];
	}
	const args: Arg[] = [keys.stream(topic), keys.topics, keys.topicsLastAt, topic, retain];
	for (const {envelope, wire} of events) {
		args.push(
			wire === envelope.data ? '' : wire,
			envelope.id,
			envelope.source,
			envelope.time,
			envelope.datacontenttype,
			envelope.data,
			envelope.correlationid ?? '',
			envelope.causationid ?? '',
		);
	}
	return (await publish.run(redis, args)) as string[];
}
