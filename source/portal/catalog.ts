// The inferred catalog in Redis: per topic one HASH (eda:{<topic>}:catalog)
// with the writer's epoch, the stream position read up to, and one field per
// CloudEvents type holding that entry as JSON; per entry one capped LIST of
// versions. Only the portal watcher that holds the lease writes it (watcher.ts);
// anyone reads it. Consumers are not stored: they are read live (readConsumers).
import {numsub} from '../redis/pubsub.js';
import type {Redis} from 'ioredis';
import {listActors} from '../actors/heartbeat.js';
import {luaNowMs} from '../redis/clock.js';
import {keys} from '../redis/keys.js';
import {fieldMap} from '../redis/reply.js';
import {LuaScript} from '../redis/script.js';
import {groupRows, type ConsumerGroup} from '../topics/groups.js';
import type {Break, Change} from './compat.js';
import type {JsonSchema} from './infer.js';

/** Versions kept per entry: the oldest go first. */
export const maxVersions = 50;
/** Producers (CloudEvents sources) counted by name per entry; the rest add up under `otherProducers`. */
export const maxProducers = 100;
export const otherProducers = '(other)';
/** Types kept apart per topic; events of further types add up under `otherTypes`. */
export const maxTypes = 50;
export const otherTypes = '(other types)';
/** Bytes of the sample event kept. */
export const maxSampleBytes = 4096;
/** The rate is events a second over this long, ending at the last event. */
export const rateWindowMs = 60_000;

export type Transport = 'stream' | 'pubsub';

export type CatalogVersion = {version: number; at: number; changes: Change[]; breaks: Break[]; schema?: JsonSchema};

export type CatalogEntry = {
	topic: string;
	/** The CloudEvents type, when it is not the topic's own name (events posted without one carry the topic). */
	type?: string;
	version: number;
	schema: JsonSchema;
	versions: CatalogVersion[];
	/** CloudEvents `source` values with their counts (pub/sub traffic has none). */
	producers: Record<string, number>;
	firstSeen: number;
	lastSeen: number;
	/** Events a second over the minute before lastSeen; 0 once that minute has passed. */
	rate: number;
	/** The newest event's data, raw from the network: sanitise before showing. */
	sample?: string;
	nonJson?: boolean;
	/** Events seen since the catalog began. */
	count: number;
	/** Whether the topic has a stream (eda's producers) or only pub/sub traffic (the Go tool, redis-cli). */
	transport: Transport;
};

/** What a catalog entry field holds: the entry without what the hash or list already say. */
export type StoredEntry = Omit<CatalogEntry, 'topic' | 'versions' | 'transport'>;

/** The suffix of an entry's field and versions list: '' for the topic's own type. */
export function entrySuffix(type: string | undefined): string {
	return type === undefined ? '' : `:${encodeURIComponent(type)}`;
}

function typeOfSuffix(suffix: string): string | undefined {
	return suffix === '' ? undefined : decodeURIComponent(suffix.slice(1));
}

export type TopicRecord = {
	topic: string;
	/** Stream position read up to ('0-0' for none). */
	pos: string;
	transport: Transport;
	entries: StoredEntry[];
};

// Claims a topic for a writer and returns what is stored: a writer with an
// older epoch than the topic last took gets nothing (it is no longer the leader).
// KEYS[1] -> eda:{<topic>}:catalog
// ARGV[1] -> epoch
// Returns 0 when stale, else the hash as a flat list.
const claimScript = new LuaScript(`
local held = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
if held > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'epoch', ARGV[1])
return redis.call('HGETALL', KEYS[1])
`);

function parseJson<T>(text: string | undefined): T | undefined {
	if (text === undefined) return undefined;
	try {
		return JSON.parse(text) as T;
	} catch {
		return undefined;
	}
}

function recordOf(topic: string, hash: Map<string, string>): TopicRecord {
	const entries: StoredEntry[] = [];
	for (const [field, value] of hash) {
		if (!field.startsWith('entry:')) continue;
		const entry = parseJson<StoredEntry>(value);
		if (entry) entries.push({...entry, type: typeOfSuffix(field.slice('entry:'.length))});
	}
	return {topic, pos: hash.get('pos') ?? '0-0', transport: hash.get('transport') === 'pubsub' ? 'pubsub' : 'stream', entries};
}

/** Takes a topic for the writer of `epoch`; undefined when a newer writer has it. */
export async function claimTopic(redis: Redis, topic: string, epoch: number): Promise<TopicRecord | undefined> {
	const reply = await claimScript.run(redis, [keys.portal.catalog(topic)], [epoch]);
	if (!Array.isArray(reply)) return undefined;
	await redis.sadd(keys.portal.catalogTopics, topic);
	return recordOf(topic, fieldMap(reply));
}

// One topic's changes since the last write, in one step: the position, each
// changed entry and its new versions (the list capped). Refused when a writer
// with a newer epoch has written since.
// KEYS[1] -> eda:{<topic>}:catalog
// ARGV[1] -> epoch, ARGV[2] -> pos, ARGV[3] -> transport, ARGV[4] -> versions kept,
// ARGV[5] -> eda:{<topic>}:catalog:versions (the prefix of every entry's list),
// ARGV[6..] -> per entry: suffix, entry JSON, k, then k version JSONs.
// Returns 1 when written, 0 when stale.
const writeScript = new LuaScript(`
local held = tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0')
if held > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'pos', ARGV[2], 'transport', ARGV[3])
local cap = tonumber(ARGV[4])
local i = 6
while i <= #ARGV do
	redis.call('HSET', KEYS[1], 'entry:' .. ARGV[i], ARGV[i + 1])
	local list = ARGV[5] .. ARGV[i]
	local k = tonumber(ARGV[i + 2])
	for j = 1, k do redis.call('RPUSH', list, ARGV[i + 2 + j]) end
	if k > 0 then redis.call('LTRIM', list, -cap, -1) end
	i = i + 3 + k
end
return 1
`);

export type EntryWrite = {entry: StoredEntry; newVersions: CatalogVersion[]};

/** Writes one topic's changed entries; false when a newer writer owns the topic now. */
export async function writeTopic(redis: Redis, epoch: number, topic: string, pos: string, transport: Transport, writes: EntryWrite[]): Promise<boolean> {
	const args: (string | number)[] = [epoch, pos, transport, maxVersions, keys.portal.versions(topic)];
	for (const {entry, newVersions} of writes) {
		const {type, ...rest} = entry;
		args.push(entrySuffix(type), JSON.stringify(rest), newVersions.length, ...newVersions.map((v) => JSON.stringify(v)));
	}
	return Number(await writeScript.run(redis, [keys.portal.catalog(topic)], args)) === 1;
}

// One topic's catalog with every entry's versions, and Redis time.
// KEYS[1] -> eda:{<topic>}:catalog
// ARGV[1] -> eda:{<topic>}:catalog:versions
// Returns {now, hash as a flat list, then per entry field: suffix, versions}.
const readScript = new LuaScript(`${luaNowMs}
local hash = redis.call('HGETALL', KEYS[1])
local out = {now, hash}
for i = 1, #hash, 2 do
	local suffix = string.match(hash[i], '^entry:(.*)$')
	if suffix then
		out[#out + 1] = suffix
		out[#out + 1] = redis.call('LRANGE', ARGV[1] .. suffix, 0, -1)
	end
end
return out
`);

/** Every entry of the catalog, by topic then type, with its versions. */
export async function readCatalog(redis: Redis, only?: string[]): Promise<CatalogEntry[]> {
	const topics = (only ?? (await redis.smembers(keys.portal.catalogTopics))).sort();
	const replies = await Promise.all(topics.map((topic) => readScript.run(redis, [keys.portal.catalog(topic)], [keys.portal.versions(topic)])));
	const entries: CatalogEntry[] = [];
	topics.forEach((topic, i) => {
		const [now, flat, ...lists] = replies[i] as [number, unknown, ...unknown[]];
		const hash = fieldMap(flat);
		const versionsBySuffix = new Map<string, CatalogVersion[]>();
		for (let j = 0; j + 1 < lists.length; j += 2) {
			const list = Array.isArray(lists[j + 1]) ? (lists[j + 1] as string[]) : [];
			versionsBySuffix.set(String(lists[j]), list.flatMap((text) => parseJson<CatalogVersion>(text) ?? []));
		}
		const record = recordOf(topic, hash);
		for (const entry of record.entries) {
			const stale = Number(now) - entry.lastSeen > rateWindowMs;
			entries.push({...entry, topic, rate: stale ? 0 : entry.rate, transport: record.transport, versions: versionsBySuffix.get(entrySuffix(entry.type)) ?? []});
		}
	});
	return entries.sort((a, b) => (a.topic === b.topic ? (a.type ?? '').localeCompare(b.type ?? '') : a.topic < b.topic ? -1 : 1));
}

export type Consumers = {groups: ConsumerGroup[]; subscribers: number; actors: {name: string; kind: string}[]};

/** Whether a subscription (a topic or a glob such as orders.*) covers `topic`. */
function covers(subscription: string, topic: string): boolean {
	if (!/[*?]/.test(subscription)) return subscription === topic;
	const pattern = subscription.replace(/[.+^${}()|[\]\\:-]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
	return new RegExp(`^${pattern}$`).test(topic);
}

/**
 * Who consumes each topic, read now: consumer groups with lag (XINFO GROUPS),
 * live pub/sub subscribers (PUBSUB NUMSUB) and the actors whose heartbeat
 * names the topic (a consumer's detail reads `topic X …` or `stream X …`).
 */
export async function readConsumers(redis: Redis, topics: string[]): Promise<Map<string, Consumers>> {
	const [subscribed, actors, ...groups] = await Promise.all([
		topics.length > 0 ? numsub(redis, topics).catch(() => undefined) : undefined,
		listActors(redis).catch(() => []),
		// A topic without a stream has no groups.
		...topics.map((topic) => redis.call('XINFO', 'GROUPS', keys.stream(topic)).catch(() => undefined)),
	]);
	const subscribers = fieldMap(subscribed);
	const out = new Map<string, Consumers>();
	topics.forEach((topic, i) => {
		const named = actors.filter((actor) => {
			const subscription = /^(?:topic|stream) (\S+)/.exec(actor.detail)?.[1];
			return subscription !== undefined && covers(subscription, topic);
		});
		out.set(topic, {groups: groupRows(groups[i]), subscribers: Number(subscribers.get(topic) ?? 0), actors: named.map(({name, kind}) => ({name, kind}))});
	});
	return out;
}
