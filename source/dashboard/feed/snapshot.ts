// One refresh: scripts gather the deferred stages with the next events and
// their bodies and the stats counters, and the live actor names (reads that
// depend on each other, so they run in Redis), pipelined with the topic index,
// PUBSUB NUMSUB and XINFO GROUPS for the topics known so far. Each script
// touches the keys of one hash tag only (redis/keys.ts), so the deferred and
// the actor reads are two calls and each topic's figures one more (stats.ts);
// those follow as soon as the index answers, so a refresh is two round trips.
import type {Redis} from 'ioredis';
import {luaNowMs} from '../../redis/clock.js';
import {numsub} from '../../redis/pubsub.js';
import {deferredKeys, goCompat, keys, queuesIndex} from '../../redis/keys.js';
import {fieldMap} from '../../redis/reply.js';
import {LuaScript} from '../../redis/script.js';
import {groupRows} from '../../topics/groups.js';
import {readTopicStats} from '../../topics/stats.js';
import type {Snapshot} from '../store/store.js';
import type {Counters} from '../store/queue-rates.js';
import type {DeferredEvent, NamedQueue} from '../store/types.js';

/** Events listed per stage; the pane shows fewer. */
export const listLimit = 20;
/** Body bytes fetched per listed event: enough for one shortened line. */
const bodyBytes = 300;
/** Topics whose subscribers and groups are asked for per refresh. */
const detailTopics = 50;
/** Topics whose counts are read per refresh; past it the pane counts what it saw live. */
const statsTopics = 200;

// Every deferred stage: counts, the first events with their bodies, the
// oldest ready event's wait, and the counters.
// KEYS[1] -> eda:{message:queue}:scheduled
// KEYS[2] -> message:queue
// KEYS[3] -> eda:{message:queue}:inflight
// KEYS[4] -> eda:{message:queue}:dead
// KEYS[5] -> eda:{message:queue}:stats
// ARGV[1] -> events listed per stage
// ARGV[2] -> eda:{message:queue}:event:
// ARGV[3] -> body bytes per event
// ARGV[4] -> eda:{message:queue}:ids:
// Returns {now, scheduled count, scheduled, ready count, oldest ready ms or '',
// in-flight count, in flight, dead count, counters}.
const deferredScript = new LuaScript(`${luaNowMs}
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
local oldest = redis.call('LINDEX', KEYS[2], -1)
if oldest then
  local id = redis.call('LINDEX', idsPrefix .. redis.sha1hex(oldest), 0)
  if id then
    local h = redis.call('HMGET', eventPrefix .. id, 'readyAt', 'due')
    oldestReady = h[1] or h[2] or ''
  end
end
return {
  now,
  redis.call('ZCARD', KEYS[1]),
  events(KEYS[1]),
  redis.call('LLEN', KEYS[2]),
  oldestReady,
  redis.call('ZCARD', KEYS[3]),
  events(KEYS[3]),
  redis.call('ZCARD', KEYS[4]),
  redis.call('HGETALL', KEYS[5])
}
`);

// The actors whose heartbeat has not expired, by Redis time.
// KEYS[1] -> eda:{actors}:index
// Returns their names.
const liveActorsScript = new LuaScript(`${luaNowMs}
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
`);

function eventRows(rows: unknown): DeferredEvent[] {
	if (!Array.isArray(rows)) return [];
	return rows.map((row) => {
		const [id, score, body, attempts] = row as [string, string, string, string];
		return {id: String(id), at: Number(score), body: String(body ?? ''), attempts: Number(attempts ?? 0)};
	});
}

/** Named queues shown at most. */
const namedQueueLimit = 20;

/** Each named queue's stage counts: commands of the queue's own slot, auto-pipelined per node. */
async function readNamedQueues(redis: Redis): Promise<NamedQueue[]> {
	const names = (await redis.smembers(queuesIndex)).sort().slice(0, namedQueueLimit);
	return Promise.all(
		names.map(async (name) => {
			const k = deferredKeys(name);
			const [scheduled, ready, inflight, dead, first] = await Promise.all([
				redis.zcard(k.scheduled),
				redis.llen(k.work),
				redis.zcard(k.inflight),
				redis.zcard(k.dead),
				redis.zrange(k.scheduled, 0, 0, 'WITHSCORES'),
			]);
			const nextDueAt = first[1] === undefined ? undefined : Number(first[1]);
			return {name, counts: {scheduled, ready, inflight, dead}, ...(nextDueAt === undefined ? {} : {nextDueAt})};
		}),
	);
}

/**
 * Reads everything the panes show in two pipelined round trips. `knownTopics`
 * (from the last snapshot and the live feed) get subscriber and group detail.
 */
export async function readSnapshot(redis: Redis, knownTopics: string[]): Promise<Snapshot> {
	const topics = knownTopics.slice(0, detailTopics);
	const started = performance.now();
	// Issued in one tick: the client's auto-pipelining sends them as one round trip.
	// The topics' figures need the index's names first: asked for the moment it answers.
	const topicStats = redis.hkeys(keys.topics).then((names) => readTopicStats(redis, names, statsTopics));
	// Awaited only after the first round trip: when that fails first, this failure must not go unhandled.
	topicStats.catch(() => undefined);
	const named = readNamedQueues(redis);
	named.catch(() => undefined);
	const [deferred, actorNames, subscribed, ...groupReplies] = await Promise.all([
		deferredScript.run(
			redis,
			[keys.deferred.scheduled, goCompat.workQueue, keys.deferred.inflight, keys.deferred.dead, keys.deferred.stats],
			[listLimit, keys.deferred.event(''), bodyBytes, keys.deferred.idsForBody('')],
		),
		liveActorsScript.run(redis, [keys.actors], []),
		// Detail is best effort: a topic without a stream has no groups to show.
		topics.length > 0 ? numsub(redis, topics).catch(() => undefined) : undefined,
		...topics.map((topic) => redis.call('XINFO', 'GROUPS', keys.stream(topic)).then((reply) => ({reply}), () => undefined)),
	]);
	// The round trip the status bar shows: the first one, without the figures that follow it.
	const rttMs = performance.now() - started;
	const stored = await topicStats;
	const namedQueues = await named.catch(() => undefined);

	const [now, scheduledCount, scheduled, readyCount, oldestReady, inflightCount, inflight, deadCount, statsFlat] = deferred as unknown[];

	const subscribers = new Map<string, number>();
	for (const [name, count] of fieldMap(subscribed)) subscribers.set(name, Number(count));
	const groups = new Map<string, Snapshot['topics'][number]['groups']>();
	topics.forEach((topic, i) => {
		const answered = groupReplies[i];
		if (answered) groups.set(topic, groupRows(answered.reply));
	});

	const names = new Set([...stored.keys(), ...topics]);
	const stats = fieldMap(statsFlat);
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
		...(namedQueues && namedQueues.length > 0 ? {namedQueues} : {}),
	};
}
