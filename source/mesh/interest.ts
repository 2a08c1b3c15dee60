// Who wants what, and the way there. Each broker's interest is found on the
// broker itself, advertised in its routes hash (keys.mesh.routes) with the
// hop distance 0, and learned by each neighbour at distance + 1: a distance
// vector, propagated one hop per round, so every broker knows, per topic (or
// pattern) and per broker with interest, the shortest distance and the
// neighbour that is the next hop. A bridge forwards an event to a neighbour
// only when that neighbour is the next hop to some broker with interest, so
// each event takes the shortest path and reaches no broker without interest
// (other than the transit brokers on that path, which store it).
//
// Poison reverse: a route learned through X is not learned back by X, so a
// withdrawn interest does not bounce between two brokers; the hop limit
// bounds what remains (count to infinity stops at the limit).
import {channels} from '../redis/pubsub.js';
import type {Redis} from 'ioredis';
import {listActors} from '../actors/heartbeat.js';
import {keys, reservedTopicPrefixes, reservedTopics} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';
import {luaNowMs, timeReplyMs} from '../redis/clock.js';
import {isPattern, subscriptionError} from '../topics/names.js';

/** The consumer groups bridges read with are named with this prefix; they are not interest. */
export const meshGroupPrefix = 'eda-mesh:';

export const defaultHopLimit = 8;

/** One learned way to a broker with interest. */
export type Route = {
	/** Hops from this broker to the broker with interest (0: here). */
	dist: number;
	/** The neighbour that is the next hop; '' for this broker's own interest. */
	via: string;
	/** Redis ms on this broker when this route (with this next hop) appeared; events older than it are not sent along it. */
	since: number;
};

/** Keyed by `<topic or pattern> <broker with interest>`. */
export type RouteTable = Map<string, Route>;

export const routeKey = (interest: string, broker: string) => `${interest} ${broker}`;

export function splitRouteKey(key: string): {interest: string; broker: string} {
	const at = key.lastIndexOf(' ');
	return {interest: key.slice(0, at), broker: key.slice(at + 1)};
}

/** Redis-style glob match for topic names (`*` any run, `?` one character). */
export function matches(pattern: string, topic: string): boolean {
	if (!isPattern(pattern)) return pattern === topic;
	const source = pattern.replace(/[.+^${}()|[\]\\:-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	return new RegExp(`^${source}$`).test(topic);
}

/**
 * The new route table of `self`: its own interest at distance 0, and for each
 * neighbour's table the routes not through `self`, one hop further, the
 * shortest kept (a tie keeps the next hop it had, then the first name). A
 * neighbour that could not be read (`undefined`) keeps the routes learned from
 * it before, so a link that is down still collects its backlog.
 */
export function computeRoutes(self: string, local: readonly string[], neighbours: ReadonlyMap<string, RouteTable | undefined>, previous: RouteTable, now: number, hopLimit = defaultHopLimit): RouteTable {
	const next: RouteTable = new Map();
	const keep = (key: string, route: Omit<Route, 'since'>) => {
		const had = previous.get(key);
		const since = had && had.via === route.via ? had.since : now;
		next.set(key, {...route, since});
	};
	for (const interest of local) keep(routeKey(interest, self), {dist: 0, via: ''});
	const candidates = new Map<string, Omit<Route, 'since'>>();
	const offer = (key: string, route: Omit<Route, 'since'>) => {
		if (next.has(key)) return;
		const best = candidates.get(key);
		const had = previous.get(key);
		if (!best || route.dist < best.dist || (route.dist === best.dist && (route.via === had?.via || (best.via !== had?.via && route.via < best.via)))) candidates.set(key, route);
	};
	for (const [neighbour, table] of neighbours) {
		if (table === undefined) {
			for (const [key, route] of previous) if (route.via === neighbour) offer(key, route);
			continue;
		}
		for (const [key, route] of table) {
			if (route.via === self || splitRouteKey(key).broker === self) continue;
			const dist = route.dist + 1;
			if (dist > hopLimit) continue;
			offer(key, {dist, via: neighbour});
		}
	}
	for (const [key, route] of candidates) keep(key, route);
	return next;
}

/** Parses a routes hash. */
export function parseRoutes(hash: Record<string, string>): RouteTable {
	const table: RouteTable = new Map();
	for (const [key, value] of Object.entries(hash)) {
		try {
			const route = JSON.parse(value) as Route;
			if (typeof route.dist === 'number' && typeof route.via === 'string' && typeof route.since === 'number') table.set(key, route);
		} catch {
			// Not ours: skipped.
		}
	}
	return table;
}

export async function readRoutes(redis: Redis): Promise<RouteTable> {
	return parseRoutes(await redis.hgetall(keys.mesh.routes));
}

// The table is replaced whole, so a reader never sees half of one round. A
// route new in this round (its since is the round's start, ARGV[1]) gets the
// Redis time of this write as its since instead: the moment it can be seen.
// So a bridge that read the table at time R knows every route with a since
// up to R, and for an event newer than R reads the table again before it
// decides (bridge.ts): nothing published once a route stands goes unsent.
// KEYS[1] -> eda:{mesh}:routes
// ARGV[1] -> the round's start (Redis ms), ARGV[2..] -> field, value pairs
const replaceRoutes = new LuaScript(`${luaNowMs}
redis.call('DEL', KEYS[1])
local out = {}
local round = '"since":' .. ARGV[1] .. '}'
for i = 2, #ARGV, 2 do
  out[#out + 1] = ARGV[i]
  local value = ARGV[i + 1]
  if string.sub(value, -#round) == round then value = string.sub(value, 1, -#round - 1) .. '"since":' .. now .. '}' end
  out[#out + 1] = value
end
if #out > 0 then redis.call('HSET', KEYS[1], unpack(out)) end
return #out / 2
`);

export async function writeRoutes(redis: Redis, table: RouteTable, roundStart = -1): Promise<void> {
	const args: string[] = [String(roundStart)];
	// since last, so the script finds it at the end of the JSON.
	for (const [key, route] of table) args.push(key, JSON.stringify({dist: route.dist, via: route.via, since: route.since}));
	await replaceRoutes.run(redis, [keys.mesh.routes], args);
}

const isOwnChannel = (channel: string) => reservedTopics.has(channel) || reservedTopicPrefixes.some(({prefix}) => channel.startsWith(prefix));

/**
 * This broker's own interest: topics with a consumer group other than the
 * mesh's, channels with a live subscriber (PUBSUB CHANNELS), and the patterns
 * or streams `eda consumer` heartbeats declare (Redis cannot list another
 * client's patterns). The dashboard's catch-all subscription has no consumer
 * heartbeat, so it is not interest.
 */
export async function localInterest(redis: Redis): Promise<string[]> {
	const found = new Set<string>();
	const topics = await redis.hkeys(keys.topics);
	const groups = await Promise.all(topics.map((topic) => (redis.xinfo('GROUPS', keys.stream(topic)) as Promise<unknown[]>).catch(() => [])));
	topics.forEach((topic, i) => {
		for (const group of groups[i] ?? []) {
			const fields = group as unknown[];
			const name = String(fields[fields.indexOf('name') + 1] ?? '');
			if (!name.startsWith(meshGroupPrefix)) found.add(topic);
		}
	});
	for (const channel of await channels(redis)) {
		if (!isOwnChannel(channel) && !subscriptionError(channel)) found.add(channel);
	}
	for (const actor of await listActors(redis)) {
		if (actor.kind !== 'consumer') continue;
		const declared = /^(?:topic (\S+)|stream (\S+) from start)$/.exec(actor.detail);
		const interest = declared?.[1] ?? declared?.[2];
		if (interest && !subscriptionError(interest)) found.add(interest);
	}
	return [...found].sort();
}

/** Redis time in ms. */
export async function redisNow(redis: Redis): Promise<number> {
	return timeReplyMs(await redis.time());
}
