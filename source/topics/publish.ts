import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import type {OutgoingEvent} from './envelope.js';

export const defaultRetain = 10_000;

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
redis.call('HINCRBY', KEYS[2], topic, n)
local t = redis.call('TIME')
redis.call('HSET', KEYS[3], topic, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
return ids
`;

type PublishingRedis = Redis & {edaPublish(...args: (string | number)[]): Promise<string[]>};

function withScript(redis: Redis): PublishingRedis {
	const client = redis as PublishingRedis;
	if (typeof client.edaPublish !== 'function') redis.defineCommand('edaPublish', {numberOfKeys: 3, lua: publishScript});
	return client;
}

/**
 * Stores and broadcasts events on one topic in one atomic step. Resolves with
 * the stream entry ids; rejects when Redis did not take them (nothing stored).
 */
export async function publishEvents(redis: Redis, topic: string, events: OutgoingEvent[], retain = defaultRetain): Promise<string[]> {
	if (events.length === 0) return [];
	const args: (string | number)[] = [keys.stream(topic), keys.topics, keys.topicsLastAt, topic, retain];
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
	return withScript(redis).edaPublish(...args);
}
