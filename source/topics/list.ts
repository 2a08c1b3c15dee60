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

export type TopicPage = {
	topics: TopicSummary[];
	/** The last topic of this page when more follow: pass it as `after` for the next page. */
	next?: string;
};

export const defaultTopicPage = 200;
export const maxTopicPage = 1000;

/**
 * How long one call of the figures script may run, in µs of Redis time. XINFO
 * STREAM copies a stream's first entry into Lua (about 2 ms for a 1 MiB
 * event), so a page is not one script: each call takes names until this
 * budget is spent, and Redis serves other clients between calls.
 */
export const statsBudgetUs = 1000;

// KEYS: none. ARGV: 1 the stream key prefix, 2 the budget in µs, 3.. names.
// Returns topicStats' flat rows for the first names, as many as fit the budget
// (at least one).
const statsScript = new LuaScript(`${topicStatsLua}
local function micros() local t = redis.call('TIME'); return tonumber(t[1]) * 1000000 + tonumber(t[2]) end
local started = micros()
local budget = tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  for _, value in ipairs(topicStats(ARGV[1], {ARGV[i]})) do out[#out + 1] = value end
  if micros() - started >= budget then break end
end
return out`, 0);

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The figures of `names`, in as many bounded script calls as they need. */
async function statsOf(redis: Redis, names: string[]): Promise<TopicSummary[]> {
	const out: TopicSummary[] = [];
	let rest = names;
	while (rest.length > 0) {
		const rows = topicStatsRows(await statsScript.run(redis, [keys.stream(''), statsBudgetUs, ...rest]));
		if (rows.size === 0) throw new Error('the topic figures script answered nothing');
		for (const [topic, stats] of rows) out.push({topic, count: stats?.stored ?? 0, retained: stats?.retained ?? 0, lastAt: stats?.lastAt ?? 0});
		rest = rest.slice(rows.size);
	}
	return out;
}

/**
 * One page of known topics in name order, after `after` (exclusive), with
 * their counts. The names come in one HKEYS (the index holds names only); the
 * figures only for the page's names.
 */
export async function listTopicsPage(redis: Redis, options: {limit?: number; after?: string} = {}): Promise<TopicPage> {
	const limit = Math.min(Math.max(options.limit ?? defaultTopicPage, 1), maxTopicPage);
	const after = options.after;
	const names = (await redis.hkeys(keys.topics)).filter((name) => after === undefined || name > after).sort(byName);
	const page = names.slice(0, limit);
	const topics = await statsOf(redis, page);
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
