// Lua shared by every script that writes topic streams.
//
// The hot path writes nothing but the stream and the PUBLISH: a topic's counts
// come from the stream itself (XINFO STREAM: entries-added, length, the newest
// id; topics/stats.ts), and the index of topic names is written once per topic
// from the client (topic-index.ts). That keeps a single POST at one XADD and
// one PUBLISH inside Redis.

/**
 * append(stream, maxlen, fields) → entry id: XADD capped with MAXLEN ~. Every
 * key a topic's script touches carries the topic's hash tag (redis/keys.ts),
 * so the index of topic names, which spans topics, is never written here.
 */
export const appendLua = `
local function append(stream, maxlen, fields)
  return redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', unpack(fields))
end
`;
