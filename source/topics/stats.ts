// A topic's figures, read from its stream: one script call per topic (each
// touches only that topic's stream, so each can run on Redis Cluster), all
// sent in one tick so the client pipelines them.
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';

export type TopicStats = {
	/** Every event ever appended (entries-added, Redis 7; the length on older servers). */
	stored: number;
	/** What the capped stream holds now. */
	retained: number;
	/** Redis ms of the newest entry, 0 when unknown. */
	lastAt: number;
};

// Runs in Redis so only the figures travel, never the entries XINFO STREAM
// carries (FULL COUNT 1 copies one entry instead of the first and last, which
// halves the time for large events). A topic whose stream is gone shows zeros.
// KEYS[1] -> eda:{<topic>}:stream
// Returns {stored, retained, lastAt}.
const statsScript = new LuaScript(`
local stored, retained, last = nil, 0, 0
local info = redis.pcall('XINFO', 'STREAM', KEYS[1], 'FULL', 'COUNT', 1)
if type(info) == 'table' and not info.err then
  for i = 1, #info, 2 do
    local field = info[i]
    if field == 'length' then retained = info[i + 1]
    elseif field == 'entries-added' then stored = info[i + 1]
    elseif field == 'last-generated-id' then last = tonumber(string.match(info[i + 1], '^%d+')) or 0 end
  end
end
return {stored or retained, retained, last}
`);

/**
 * Figures for each topic in name order, the order the Topics pane lists them
 * in. With a `limit` (a refresh several times a second) only the first names
 * get figures; the rest map to undefined.
 */
export async function readTopicStats(redis: Redis, names: string[], limit = Infinity): Promise<Map<string, TopicStats | undefined>> {
	const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
	const read = sorted.slice(0, limit);
	const replies = await Promise.all(read.map((name) => statsScript.run(redis, [keys.stream(name)], [])));
	const rows = new Map<string, TopicStats | undefined>();
	read.forEach((name, i) => {
		const [stored, retained, lastAt] = replies[i] as [number, number, number];
		rows.set(name, {stored: Number(stored), retained: Number(retained), lastAt: Number(lastAt)});
	});
	for (const name of sorted.slice(limit)) rows.set(name, undefined);
	return rows;
}
