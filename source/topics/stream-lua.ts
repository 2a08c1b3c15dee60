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
 *
 * A stream the event mesh forwards from has a hold (keys.mesh.hold, on the
 * topic's slot, built here from the stream's name): its floor is the oldest
 * entry some bridge has not acknowledged, its cap the link's --max-backlog.
 * Such a stream is trimmed to maxlen only below the floor, and past the cap
 * exactly (the bridge counts what that dropped), so retention never takes an
 * event a link that is down still owes.
 */
export const appendLua = `
local meshHolds = {}
local function append(stream, maxlen, fields)
  local hold = meshHolds[stream]
  if hold == nil then
    hold = redis.call('HMGET', string.sub(stream, 1, -7) .. 'mesh:hold', 'floor', 'cap')
    meshHolds[stream] = hold
  end
  if not hold[1] then
    return redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', unpack(fields))
  end
  local id = redis.call('XADD', stream, '*', unpack(fields))
  local len = redis.call('XLEN', stream)
  local excess = len - tonumber(maxlen)
  if len > tonumber(hold[2]) then
    redis.call('XTRIM', stream, 'MAXLEN', hold[2])
  elseif excess > 0 then
    local old = redis.call('XRANGE', stream, '-', '(' .. hold[1], 'COUNT', math.min(excess, 100))
    if #old > 0 then
      local ms, seq = string.match(old[#old][1], '(%d+)-(%d+)')
      redis.call('XTRIM', stream, 'MINID', ms .. '-' .. string.format('%d', tonumber(seq) + 1))
    end
  end
  return id
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
