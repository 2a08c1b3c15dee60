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

/**
 * envelope(id, source, type, time, datacontenttype, data, correlationid,
 * causationid) → the stream entry's fields, in the one order every stored
 * event has, so every reader understands every writer's entries. An empty or
 * missing correlation or causation id is left out. The id is always field 4
 * and the data field 14, so a batch can reuse one table for its events.
 */
export const envelopeLua = `
local function envelope(id, source, type, time, contentType, data, correlationid, causationid)
  local fields = {'specversion', '1.0', 'id', id, 'source', source, 'type', type, 'time', time, 'datacontenttype', contentType, 'data', data}
  if correlationid and correlationid ~= '' then fields[#fields + 1] = 'correlationid'; fields[#fields + 1] = correlationid end
  if causationid and causationid ~= '' then fields[#fields + 1] = 'causationid'; fields[#fields + 1] = causationid end
  return fields
end
`;
