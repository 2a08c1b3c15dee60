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

export type TopicPage = {
	topics: TopicSummary[];
	/** The last topic of this page when more follow: pass it as `after` for the next page. */
	next?: string;
};

export const defaultTopicPage = 200;
export const maxTopicPage = 1000;

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One page of known topics in name order, after `after` (exclusive), with
 * their counts. The names come in one HKEYS (the index holds names only); the
 * figures only for the page's names, one short script per topic (stats.ts),
 * so Redis serves other clients between topics.
 */
export async function listTopicsPage(redis: Redis, options: {limit?: number; after?: string} = {}): Promise<TopicPage> {
	const limit = Math.min(Math.max(options.limit ?? defaultTopicPage, 1), maxTopicPage);
	const after = options.after;
	const names = (await redis.hkeys(keys.topics)).filter((name) => after === undefined || name > after).sort(byName);
	const page = names.slice(0, limit);
	const rows = await readTopicStats(redis, page);
	const topics = [...rows.entries()].map(([topic, stats]) => ({topic, count: stats?.stored ?? 0, retained: stats?.retained ?? 0, lastAt: stats?.lastAt ?? 0}));
	return names.length > limit ? {topics, next: page[page.length - 1]} : {topics};
}

/** Every known topic with its counts, page by page. */
export async function listTopics(redis: Redis): Promise<TopicSummary[]> {
	const all: TopicSummary[] = [];
	let after: string | undefined;
	for (;;) {
		const page = await listTopicsPage(redis, {limit: maxTopicPage, after});
		all.push(...page.topics);
		if (page.next === undefined) return all;
		after = page.next;
	}
}
