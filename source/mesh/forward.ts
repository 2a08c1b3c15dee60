// The write on the destination broker: for each forwarded event, check the
// topic's dedupe window by the envelope's source and id, and when it is new
// there, append it to the topic's stream (its fields as stored on the source,
// so the original envelope id and attributes stay) and PUBLISH its data on
// the topic's channel. One script on the topic's slot: the check, the record,
// the XADD and the PUBLISH happen together or not at all, so a bridge that
// dies between this and its XACK forwards the event again and the second
// write is refused here.
import type {Redis} from 'ioredis';
import {Packr} from 'msgpackr';
import {keys} from '../redis/keys.js';
import {luaNowMs} from '../redis/clock.js';
import {LuaScript} from '../redis/script.js';
import {appendLua} from '../topics/stream-lua.js';
import {defaultRetain} from '../topics/publish.js';
import {indexTopic, entryMs} from '../topics/topic-index.js';

/** How long a topic remembers an event the mesh stored, by its source and id (Redis time). */
export const dedupeWindowMs = 24 * 60 * 60 * 1000;
/** And at most this many per topic, the oldest forgotten first. */
export const dedupeCap = 1_000_000;

// KEYS[1] -> eda:{<topic>}:stream
// KEYS[2] -> eda:{<topic>}:mesh:seen
// ARGV[1] -> topic, ARGV[2] -> maxlen, ARGV[3] -> window ms, ARGV[4] -> cap
// ARGV[5] -> the events as one MessagePack array, each [dedupe key ("<source>
// <id>"), [stream field, value, …]]: one argument for a whole batch, not
// twenty an event (encoding thousands of arguments was most of the bridge's
// own CPU), and MessagePack rather than JSON: the bridge writes it as bytes
// with no escaping and no UTF-8 pass over a large string, and cmsgpack
// decodes it in Redis faster than cjson (measured: 1.6-2.4 against 3.7 µs an
// event in the bridge, 1.7 against 2.0 in Redis).
// The data to PUBLISH is the entry's data field, found here rather than sent
// twice: it is most of an event's bytes, to encode, send and decode.
// Returns {stored, duplicates, first stored entry id or ''}.
const forwardScript = new LuaScript(`${appendLua}${luaNowMs}
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
local stored, duplicates, first = 0, 0, ''
local events = cmsgpack.unpack(ARGV[5])
-- The window asked once for the whole batch, and written once: two calls, not two an event.
local keysOf = {}
for i, event in ipairs(events) do keysOf[i] = event[1] end
local known = redis.call('ZMSCORE', KEYS[2], unpack(keysOf))
local fresh, taken = {}, {}
for i, event in ipairs(events) do
  local key = event[1]
  if known[i] or taken[key] then
    duplicates = duplicates + 1
  else
    taken[key] = true
    fresh[#fresh + 1] = now
    fresh[#fresh + 1] = key
    local fields = event[2]
    local id = append(KEYS[1], ARGV[2], fields)
    if first == '' then first = id end
    local data = ''
    for j = 1, #fields - 1, 2 do
      if fields[j] == 'data' then data = fields[j + 1]; break end
    end
    redis.call('PUBLISH', ARGV[1], data)
    stored = stored + 1
  end
end
if #fresh > 0 then redis.call('ZADD', KEYS[2], unpack(fresh)) end
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
if over > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1) end
return {stored, duplicates, first}
`);

/** One event to write: its stream fields as they will be stored (its data among them). */
export type ForwardedEvent = {source: string; id: string; fields: string[]};

// Plain MessagePack arrays and strings: no record extension, which cmsgpack would not know.
const packr = new Packr({useRecords: false});

/** A batch as the write script takes it: built apart from the write, so a bridge can build the next while one is on its way. */
export function encodeForwarded(events: ForwardedEvent[]): Buffer {
	return packr.pack(events.map((event) => [`${event.source} ${event.id}`, event.fields]));
}

export async function storeForwarded(redis: Redis, topic: string, events: ForwardedEvent[] | Buffer, retain = defaultRetain): Promise<{stored: number; duplicates: number}> {
	const batch = Buffer.isBuffer(events) ? events : encodeForwarded(events);
	const [stored, duplicates, first] = (await forwardScript.run(redis, [keys.stream(topic), keys.mesh.seen(topic)], [topic, retain, dedupeWindowMs, dedupeCap, batch])) as [number, number, string];
	// The topic index spans topics, so it is written after, as the publish path does.
	if (first) await indexTopic(redis, topic, entryMs(first)).catch(() => undefined);
	return {stored, duplicates};
}
