// One round trip per refresh: a read-only script gathers the topics, every
// deferred stage with the next events and their bodies, the stats counters and
// the live actor names (reads that depend on each other, so they run in Redis),
// pipelined with PUBSUB NUMSUB and XINFO GROUPS for the topics known so far.
import type {Redis} from 'ioredis';
import {goCompat, keys} from '../../redis/keys.js';
import {LuaScript} from '../../redis/script.js';
import {topicStatsLua, topicStatsRows} from '../../topics/stream-lua.js';
import type {Snapshot} from '../store/store.js';
import type {Counters} from '../store/queue-rates.js';
import type {DeferredEvent} from '../store/types.js';

/** Events listed per stage; the pane shows fewer. */
export const listLimit = 20;
/** Body bytes fetched per listed event: enough for one shortened line. */
const bodyBytes = 300;
/** Topics whose subscribers and groups are asked for per refresh. */
const detailTopics = 50;
/** Topics whose counts are read per refresh; past it the pane counts what it saw live. */
const statsTopics = 200;

const snapshotScript = `${topicStatsLua}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local eventPrefix = ARGV[2]
local bodyMax = tonumber(ARGV[3])
local idsPrefix = ARGV[4]
local function events(key)
  local rows = redis.call('ZRANGE', key, 0, limit - 1, 'WITHSCORES')
  local out = {}
  for i = 1, #rows, 2 do
    local h = redis.call('HMGET', eventPrefix .. rows[i], 'body', 'attempts')
    out[#out + 1] = {rows[i], rows[i + 1], string.sub(h[1] or '', 1, bodyMax), h[2] or '0'}
  end
  return out
end
-- The oldest ready event sits at the right end of message:queue (workers take
-- from the right); the first id filed under its body is its id, and readyAt
-- says since when it waits. Bodies the Go master pushed have no record yet.
local oldestReady = ''
local oldest = redis.call('LINDEX', KEYS[3], -1)
if oldest then
  local id = redis.call('LINDEX', idsPrefix .. redis.sha1hex(oldest), 0)
  if id then
    local h = redis.call('HMGET', eventPrefix .. id, 'readyAt', 'due')
    oldestReady = h[1] or h[2] or ''
  end
end
return {
  now,
  topicStats(ARGV[5], redis.call('HKEYS', KEYS[1]), tonumber(ARGV[6])),
  redis.call('ZCARD', KEYS[2]),
  events(KEYS[2]),
  redis.call('LLEN', KEYS[3]),
  oldestReady,
  redis.call('ZCARD', KEYS[4]),
  events(KEYS[4]),
  redis.call('ZCARD', KEYS[5]),
  redis.call('HGETALL', KEYS[6]),
  redis.call('ZRANGEBYSCORE', KEYS[7], now, '+inf')
}
`;

const snapshot = new LuaScript(snapshotScript);

function pairs(flat: unknown): Map<string, string> {
	const map = new Map<string, string>();
	if (!Array.isArray(flat)) return map;
	for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), String(flat[i + 1]));
	return map;
}

function eventRows(rows: unknown): DeferredEvent[] {
	if (!Array.isArray(rows)) return [];
	return rows.map((row) => {
		const [id, score, body, attempts] = row as [string, string, string, string];
		return {id: String(id), at: Number(score), body: String(body ?? ''), attempts: Number(attempts ?? 0)};
	});
}

/** XINFO GROUPS reply (flat field lists) → name, lag, pending. */
function groupRows(reply: unknown): Snapshot['topics'][number]['groups'] {
	if (!Array.isArray(reply)) return [];
	return reply.map((group) => {
		const fields = pairs(group);
		const lag = fields.get('lag');
		return {
			name: fields.get('name') ?? '?',
			lag: lag === undefined || lag === '' || lag === 'null' ? undefined : Number(lag),
			pending: Number(fields.get('pending') ?? 0),
		};
	});
}

/**
 * Reads everything the panes show in one pipelined round trip. `knownTopics`
 * (from the last snapshot and the live feed) get subscriber and group detail.
 */
export async function readSnapshot(redis: Redis, knownTopics: string[]): Promise<Snapshot> {
	const topics = knownTopics.slice(0, detailTopics);
	const started = performance.now();
	// Issued in one tick: the client's auto-pipelining sends them as one round trip.
	const [main, numsub, ...groupReplies] = await Promise.all([
		snapshot.run(redis, [
			keys.topics,
			keys.deferred.scheduled,
			goCompat.workQueue,
			keys.deferred.inflight,
			keys.deferred.dead,
			keys.deferred.stats,
			keys.actors,
		], [
			listLimit,
			keys.deferred.event(''),
			bodyBytes,
			keys.deferred.idsForBody(''),
			keys.stream(''),
			statsTopics,
		]),
		// Detail is best effort: a topic without a stream has no groups to show.
		topics.length > 0 ? redis.call('PUBSUB', 'NUMSUB', ...topics).catch(() => undefined) : undefined,
		...topics.map((topic) => redis.call('XINFO', 'GROUPS', keys.stream(topic)).then((reply) => ({reply}), () => undefined)),
	]);
	const rttMs = performance.now() - started;

	const [now, topicsFlat, scheduledCount, scheduled, readyCount, oldestReady, inflightCount, inflight, deadCount, statsFlat, actorNames] = main as unknown[];

	const subscribers = new Map<string, number>();
	for (const [name, count] of pairs(numsub)) subscribers.set(name, Number(count));
	const groups = new Map<string, Snapshot['topics'][number]['groups']>();
	topics.forEach((topic, i) => {
		const answered = groupReplies[i];
		if (answered) groups.set(topic, groupRows(answered.reply));
	});

	const stored = topicStatsRows(topicsFlat);
	const names = new Set([...stored.keys(), ...topics]);
	const stats = pairs(statsFlat);
	const counter = (name: keyof Counters) => Number(stats.get(name) ?? 0);
	return {
		now: Number(now),
		rttMs,
		topics: [...names].map((name) => ({
			name,
			stored: stored.get(name)?.stored,
			lastAt: stored.get(name)?.lastAt ?? 0,
			subscribers: subscribers.get(name) ?? 0,
			groups: groups.get(name) ?? [],
		})),
		counts: {scheduled: Number(scheduledCount), ready: Number(readyCount), inflight: Number(inflightCount), dead: Number(deadCount)},
		counters: {enqueued: counter('enqueued'), promoted: counter('promoted'), claimed: counter('claimed'), done: counter('done'), retried: counter('retried'), dead: counter('dead')},
		scheduled: eventRows(scheduled),
		inflight: eventRows(inflight),
		oldestReadyAt: oldestReady === '' || oldestReady === null || oldestReady === undefined ? undefined : Number(oldestReady),
		actorNames: Array.isArray(actorNames) ? actorNames.map(String) : [],
	};
}
