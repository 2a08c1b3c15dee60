import {luaNowMs} from '../redis/clock.js';

// Lua shared by every script that writes or reads topic streams.
//
// The hot path writes nothing but the stream and the PUBLISH: a topic's counts
// come from the stream itself (XINFO STREAM: entries-added, length, the newest
// id), so the index of topic names is written only when a stream is created.
// That keeps a single POST at one XADD and one PUBLISH inside Redis.

/**
 * append(stream, index, topic, maxlen, fields) → entry id. XADD NOMKSTREAM
 * answers nil when the stream does not exist yet; only then is it created and
 * the topic entered in the index (value: the Redis ms it was first seen).
 */
export const appendLua = `
local function append(stream, index, topic, maxlen, fields)
  local id = redis.call('XADD', stream, 'NOMKSTREAM', 'MAXLEN', '~', maxlen, '*', unpack(fields))
  if id then return id end
  id = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', unpack(fields))
  redis.call('HSETNX', index, topic, string.match(id, '^%d+'))
  return id
end
`;

/**
 * topicStats(streamPrefix, names, limit) → flat {name, stored, retained, lastAt, ...}:
 * stored counts every event ever appended (entries-added, Redis 7; the length
 * on older servers), retained what the capped stream holds now, lastAt the Redis
 * ms of the newest entry. A topic whose stream is gone shows zeros. XINFO
 * STREAM copies a stream's first and last entries into Lua (FULL COUNT 1: only
 * the first, which halves the time for large events), so with a `limit`
 * (a refresh several times a second) only the first names in name order, the
 * order the Topics pane lists them in, get figures; the rest come with ''.
 */
export const topicStatsLua = `
local function topicStats(streamPrefix, names, limit)
  if limit then table.sort(names) end
  local out = {}
  for n, name in ipairs(names) do
    local stored, retained, last = nil, 0, 0
    if limit and n > limit then stored, retained, last = '', '', '' end
    local info = stored == '' and {} or redis.pcall('XINFO', 'STREAM', streamPrefix .. name, 'FULL', 'COUNT', 1)
    if type(info) == 'table' and not info.err then
      for i = 1, #info, 2 do
        local field = info[i]
        if field == 'length' then retained = info[i + 1]
        elseif field == 'entries-added' then stored = info[i + 1]
        elseif field == 'last-generated-id' then last = tonumber(string.match(info[i + 1], '^%d+')) or 0 end
      end
    end
    out[#out + 1] = name
    out[#out + 1] = stored or retained
    out[#out + 1] = retained
    out[#out + 1] = last
  end
  return out
end
`;

export type TopicStats = {stored: number; retained: number; lastAt: number};

/** Reads topicStats' flat reply: every name, with its figures unless it was past the limit. */
export function topicStatsRows(flat: unknown): Map<string, TopicStats | undefined> {
	const rows = new Map<string, TopicStats | undefined>();
	if (!Array.isArray(flat)) return rows;
	for (let i = 0; i + 3 < flat.length; i += 4) {
		const known = flat[i + 1] !== '';
		rows.set(String(flat[i]), known ? {stored: Number(flat[i + 1]), retained: Number(flat[i + 2]), lastAt: Number(flat[i + 3])} : undefined);
	}
	return rows;
}

/**
 * KEYS: 1 the topic's stream, 2 the topic index. ARGV: group, start id, topic.
 * Creating a group creates a missing stream (MKSTREAM), after which the first
 * publish finds the stream there and would never index the topic; so the
 * topic enters the index in the same step. 1 when the group is new, 0 when it
 * existed; other errors are returned as they are.
 */
export const createGroupLua = `${luaNowMs}
local made = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2], 'MKSTREAM')
if type(made) == 'table' and made.err then
  if not string.find(made.err, 'BUSYGROUP', 1, true) then return made end
  made = 0
else
  made = 1
end
redis.call('HSETNX', KEYS[2], ARGV[3], now)
return made
`;
