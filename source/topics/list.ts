import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {readTopicStats} from './stats.js';

export type TopicSummary = {
	topic: string;
	/** Events appended to the topic's stream since it was created. */
	count: number;
	/** Events kept in the topic's stream now. */
	retained: number;
	/** ms of the last event (Redis time), 0 when unknown. */
	lastAt: number;
};

/** Known topics with their counts: the index, then one pipelined call per topic. */
export async function listTopics(redis: Redis): Promise<TopicSummary[]> {
	const rows = await readTopicStats(redis, await redis.hkeys(keys.topics));
	return [...rows.entries()].map(([topic, stats]) => ({topic, count: stats?.stored ?? 0, retained: stats?.retained ?? 0, lastAt: stats?.lastAt ?? 0}));
}
