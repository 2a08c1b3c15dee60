import type {Redis} from 'ioredis';
import {Packr} from 'msgpackr';
import {keys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';
import {defaultContentType, defaultSource, extraAttributes, type OutgoingEvent} from './envelope.js';
import {appendLua, envelopeLua} from './stream-lua.js';
import {entryMs, indexTopic} from './topic-index.js';

export const defaultRetain = 10_000;

// One script per request: every event of it is appended to the topic's stream
// and PUBLISHed byte for byte on the topic's channel (what the Go tool's
// consumers and redis-cli SUBSCRIBE see), or none is. Counts come from the
// stream (topics/stats.ts), so nothing else is written per event.
// KEYS[1] -> eda:{<topic>}:stream
// ARGV[1] -> topic, ARGV[2] -> maxlen, ARGV[3..] -> per
// event a count k and k values: id, time, data, source, datacontenttype,
// correlationid, causationid, wire, then name, value pairs of the other
// attributes a producer gave (`type` when it is not the topic, subject,
// dataschema, extensions). Values left off the end take their defaults (the
// producer's source, JSON, none, wire = data, type = topic): every argument
// costs the producer CPU to encode, and a plain POST needs only the first three.
// Returns {ids, 1 when this call created the stream (topic-index.ts relists it), else 0}.
const publishScript = `${appendLua}${envelopeLua}
local topic = ARGV[1]
local maxlen = ARGV[2]
local created = redis.call('EXISTS', KEYS[1]) == 0 and 1 or 0
local ids = {}
local b = 3
while b <= #ARGV do
  local k = tonumber(ARGV[b])
  local data = ARGV[b + 3]
  local source = '${defaultSource}'
  if k >= 4 then source = ARGV[b + 4] end
  local contentType = '${defaultContentType}'
  if k >= 5 then contentType = ARGV[b + 5] end
  local correlationid, causationid = nil, nil
  if k >= 6 then correlationid = ARGV[b + 6] end
  if k >= 7 then causationid = ARGV[b + 7] end
  local fields = envelope(ARGV[b + 1], source, topic, ARGV[b + 2], contentType, data, correlationid, causationid)
  -- Attributes a producer gave beyond the fixed ones; a given type replaces the topic's.
  for j = 9, k - 1, 2 do
    if ARGV[b + j] == 'type' then fields[8] = ARGV[b + j + 1]
    else fields[#fields + 1] = ARGV[b + j]; fields[#fields + 1] = ARGV[b + j + 1] end
  end
  ids[#ids + 1] = append(KEYS[1], maxlen, fields)
  local wire = data
  if k >= 8 and ARGV[b + 8] ~= '' then wire = ARGV[b + 8] end
  redis.call('PUBLISH', topic, wire)
  b = b + k + 1
end
return {ids, created}`;

// Batches: every event of the request shares source, time, content
// type and correlation (one POST, one JSON array or NDJSON body). Those go
// once; per event only the id, the data and, when it differs, the wire bytes.
// KEYS[1] -> eda:{<topic>}:stream
// ARGV[1] -> topic, ARGV[2] -> maxlen, ARGV[3..7] -> source, time,
// datacontenttype, correlationid, causationid, ARGV[8] -> values per event
// (2: id, data; 3: id, data, wire), ARGV[9] -> those values, every event's
// one after another, as one MessagePack array: one argument, not two an event.
// Thousands of arguments cost the producer most of its CPU to encode (one
// large string built piece by piece, then a UTF-8 pass to write it, and the
// garbage of both); a packed Buffer is written as it is, and cmsgpack decodes
// it in Redis about as cheaply as Redis parses arguments.
// Returns {ids, created} as the script above.
const publishSharedScript = `${appendLua}${envelopeLua}
local topic = ARGV[1]
local created = redis.call('EXISTS', KEYS[1]) == 0 and 1 or 0
local per = tonumber(ARGV[8])
local V = cmsgpack.unpack(ARGV[9])
local fields = envelope('', ARGV[3], topic, ARGV[4], ARGV[5], '', ARGV[6], ARGV[7])
local ids = {}
local n = #V / per
for i = 0, n - 1 do
  local b = i * per
  fields[4] = V[b + 1]
  fields[14] = V[b + 2]
  ids[#ids + 1] = append(KEYS[1], ARGV[2], fields)
  local wire = V[b + 2]
  if per == 3 and V[b + 3] ~= '' then wire = V[b + 3] end
  redis.call('PUBLISH', topic, wire)
end
return {ids, created}`;

type Arg = string | number | Buffer;

// Plain MessagePack arrays of strings: no record extension, which cmsgpack would not know.
const packr = new Packr({useRecords: false});

/** Whether the per-event value at this place may be left off (the script fills it in). */
function isDefault(place: number, value: Arg): boolean {
	if (place === 3) return value === defaultSource;
	if (place === 4) return value === defaultContentType;
	return value === '';
}

const publish = new LuaScript(publishScript);
const publishShared = new LuaScript(publishSharedScript);

/** The most events one request may store: one script, so Redis is blocked for its length. */
export const maxBatchEvents = 5000;

function shared(events: OutgoingEvent[], topic: string): boolean {
	const first = events[0]?.envelope;
	if (!first) return false;
	for (const {envelope: e} of events) {
		if (extraAttributes(e, topic)) return false;
		if (e.source !== first.source || e.time !== first.time || e.datacontenttype !== first.datacontenttype || e.correlationid !== first.correlationid || e.causationid !== first.causationid) return false;
	}
	return true;
}

type Waiting = {events: OutgoingEvent[]; resolve: (ids: string[]) => void; reject: (error: unknown) => void};
type Group = {topic: string; retain: number; waiting: Waiting[]; size: number; bytes: number; sent: boolean};

// Group commit: publishes on one topic that arrive in the same turn of the
// event loop (50 curl clients at once, a lab's services) go to Redis as one
// script call, sent when the turn's I/O is done (setImmediate); a large batch
// that shares its attributes keeps a call of its own (ownCallEvents). Each caller
// still gets only its own ids, and a request's events are never split over
// calls. When the call fails every caller in it hears so; the failures Redis
// gives here (a key of the wrong type, out of memory) come at the first XADD,
// before anything is written. One call for many events is what keeps the
// producer's CPU and Redis's per request near a bare PUBLISH's. Order holds
// per topic; fire-and-forget publishes to different topics in one turn may
// reach Redis grouped by topic instead of in call order.
const open = new WeakMap<Redis, Map<string, Group>>();

/** A group is sent early past about this much data (counted in string characters, a cheap near-size), so one call never holds Redis long. */
const maxGroupBytes = 1024 * 1024;

const sizeOf = (events: OutgoingEvent[]) => events.reduce((sum, {envelope, wire}) => sum + envelope.data.length + (wire === envelope.data ? 0 : wire.length), 0);

/**
 * Stores and broadcasts events on one topic in one atomic step. Resolves with
 * the stream entry ids; rejects when Redis did not take them (nothing stored).
 */
export function publishEvents(redis: Redis, topic: string, events: OutgoingEvent[], retain = defaultRetain): Promise<string[]> {
	if (events.length === 0) return Promise.resolve([]);
	if (events.length > maxBatchEvents) return Promise.reject(new RangeError(`a batch holds at most ${maxBatchEvents} events`));
	let groups = open.get(redis);
	if (!groups) open.set(redis, (groups = new Map()));
	const key = `${retain} ${topic}`;
	let group = groups.get(key);
	const bytes = sizeOf(events);
	// One script blocks Redis for its length: a group holds at most a batch, and about a MiB.
	if (group && (group.size + events.length > maxBatchEvents || group.bytes + bytes > maxGroupBytes)) {
		send(redis, group, groups, key);
		group = undefined;
	}
	if (!group) {
		const created: Group = {topic, retain, waiting: [], size: 0, bytes: 0, sent: false};
		groups.set(key, created);
		setImmediate(() => send(redis, created, groups, key));
		group = created;
	}
	group.size += events.length;
	group.bytes += bytes;
	const joined = group;
	return new Promise((resolve, reject) => joined.waiting.push({events, resolve, reject}));
}

/**
 * A request at least this large that shares its attributes goes in a call of
 * its own, in the short form (two values per event). Merged with others it
 * would take the long form (four or more values per event and a table built
 * per event in Lua), which cost the producer's encoding and Redis about twice
 * what the same events cost alone; a call's fixed cost (EXISTS, HMGET, a
 * reply) is nothing against this many events.
 */
const ownCallEvents = 100;

/** The group's requests in calls: consecutive small ones together, each large shared one alone; in arrival order, so the topic keeps it. */
function callsOf(waiting: Waiting[], topic: string): Waiting[][] {
	const calls: Waiting[][] = [];
	let small: Waiting[] | undefined;
	for (const w of waiting) {
		if (w.events.length >= ownCallEvents && shared(w.events, topic)) {
			calls.push([w]);
			small = undefined;
		} else if (small) small.push(w);
		else calls.push((small = [w]));
	}
	return calls;
}

function send(redis: Redis, group: Group, groups: Map<string, Group>, key: string): void {
	if (group.sent) return;
	group.sent = true;
	if (groups.get(key) === group) groups.delete(key);
	// Sent back to back on one connection: Redis runs them in this order.
	for (const waiting of callsOf(group.waiting, group.topic)) sendCall(redis, group.topic, group.retain, waiting);
}

/** One script call for these requests: each caller gets its own ids, or every caller the error. */
function sendCall(redis: Redis, topic: string, retain: number, waiting: Waiting[]): void {
	const only = waiting.length === 1 ? waiting[0] : undefined;
	const events = only ? only.events : waiting.flatMap((w) => w.events);
	storeAndIndex(redis, topic, events, retain).then(
		(ids) => {
			if (!Array.isArray(ids) || ids.length !== events.length) {
				const error = new Error(`Redis answered the publish with ${Array.isArray(ids) ? `${ids.length} ids for ${events.length} events` : 'no ids'}`);
				for (const w of waiting) w.reject(error);
				return;
			}
			if (only) {
				only.resolve(ids);
				return;
			}
			let at = 0;
			for (const w of waiting) {
				w.resolve(ids.slice(at, at + w.events.length));
				at += w.events.length;
			}
		},
		(error: unknown) => {
			for (const w of waiting) w.reject(error);
		},
	);
}

/**
 * Stores the events, then enters a topic new to this client in the index
 * (topic-index.ts), or one whose stream this call created: a FLUSHALL or a
 * DEL keeps the connection, so the client's set alone would leave it unlisted.
 */
async function storeAndIndex(redis: Redis, topic: string, events: OutgoingEvent[], retain: number): Promise<string[]> {
	const [ids, created] = await storeEvents(redis, topic, events, retain);
	const first = Array.isArray(ids) ? ids[0] : undefined;
	// The events are stored: a failed index write is retried at the next publish, not reported.
	if (typeof first === 'string') await indexTopic(redis, topic, entryMs(first), created === 1).catch(() => undefined);
	return ids;
}

/** One script call for events on one topic: the shared form when they share their attributes. Answers the ids and whether the stream was created. */
async function storeEvents(redis: Redis, topic: string, events: OutgoingEvent[], retain: number): Promise<[string[], number]> {
	const call = publishCall(topic, events, retain);
	return (await call.script.run(redis, call.keys, call.args)) as [string[], number];
}

/**
 * The script and arguments that store these events: what a publish sends to
 * Redis, apart from how. The ingest bench sends the same calls itself,
 * pipelined, to measure what Redis alone can take of the route's work.
 */
export function publishCall(topic: string, events: OutgoingEvent[], retain: number): {script: LuaScript; keys: string[]; args: Arg[]} {
	const stream = [keys.stream(topic)];
	if (events.length > 1 && shared(events, topic)) {
		const first = (events[0] as OutgoingEvent).envelope;
		const withWire = events.some(({envelope, wire}) => wire !== envelope.data);
		const values: (string | Buffer)[] = [];
		for (const {envelope, wire} of events) {
			if (withWire) values.push(envelope.id, envelope.data, wire === envelope.data ? '' : wire);
			else values.push(envelope.id, envelope.data);
		}
		const args: Arg[] = [topic, retain, first.source, first.time, first.datacontenttype, first.correlationid ?? '', first.causationid ?? '', withWire ? 3 : 2, packr.pack(values)];
		return {script: publishShared, keys: stream, args};
	}
	const args: Arg[] = [topic, retain];
	for (const {envelope, wire} of events) {
		const values: Arg[] = [envelope.id, envelope.time, envelope.data, envelope.source, envelope.datacontenttype, envelope.correlationid ?? '', envelope.causationid ?? '', wire === envelope.data ? '' : wire];
		const extras = extraAttributes(envelope, topic);
		let k = values.length;
		if (extras) {
			values.push(...extras);
			k = values.length;
		} else {
			while (k > 3 && isDefault(k - 1, values[k - 1] as Arg)) k--;
		}
		args.push(k);
		for (let i = 0; i < k; i++) args.push(values[i] as Arg);
	}
	return {script: publish, keys: stream, args};
}
