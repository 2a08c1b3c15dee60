import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';

export type TopicSummary = {
	topic: string;
	/** Events published through eda since the topic was first seen. */
	count: number;
	/** Events kept in the topic's stream now. */
	retained: number;
	/** ms of the last event (Redis time), 0 when unknown. */
	lastAt: number;
};

/** Known topics with counts, in one pipelined round trip after the index read. */
export async function listTopics(redis: Redis): Promise<TopicSummary[]> {
	const [counts, lastAt] = await Promise.all([redis.hgetall(keys.topics), redis.hgetall(keys.topicsLastAt)]);
	const topics = Object.keys(counts).sort();
	if (topics.length === 0) return [];
	const pipeline = redis.pipeline();
	for (const topic of topics) pipeline.xlen(keys.stream(topic));
	const lengths = (await pipeline.exec()) ?? [];
	return topics.map((topic, i) => ({
		topic,
		count: Number(counts[topic] ?? 0),
		retained: Number(lengths[i]?.[1] ?? 0),
		lastAt: Number(lastAt[topic] ?? 0),
	}));
}
