import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';
import {topicStatsLua, topicStatsRows} from './stream-lua.js';

export type TopicSummary = {
	topic: string;
	/** Events appended to the topic's stream since it was created. */
	count: number;
	/** Events kept in the topic's stream now. */
	retained: number;
	/** ms of the last event (Redis time), 0 when unknown. */
	lastAt: number;
};

// Runs in Redis so only the figures travel, never the first and last entries
// XINFO STREAM carries. KEYS: 1 the topic index. ARGV: 1 the stream key prefix.
const listScript = new LuaScript(`${topicStatsLua}
return topicStats(ARGV[1], redis.call('HKEYS', KEYS[1]))`);

/** Known topics with their counts, in one round trip. */
export async function listTopics(redis: Redis): Promise<TopicSummary[]> {
	const rows = topicStatsRows(await listScript.run(redis, [keys.topics], [keys.stream('')]));
	return [...rows.entries()]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([topic, stats]) => ({topic, count: stats?.stored ?? 0, retained: stats?.retained ?? 0, lastAt: stats?.lastAt ?? 0}));
}
