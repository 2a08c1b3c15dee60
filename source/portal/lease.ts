// The lease that says which portal watcher writes the catalog, as the deferred
// master's channel leader (deferred/leader.ts) but with an epoch: the Redis time
// the lease was taken. Every catalog write carries it and a topic refuses a
// write older than the last one it took (catalog.ts), so a watcher that stalled
// past its lease cannot overwrite what the next leader wrote.
import type {Redis} from 'ioredis';
import {luaNowMs} from '../redis/clock.js';
import {LuaScript} from '../redis/script.js';

// Takes or keeps the lease. The value is "<epoch> <holder>".
// KEYS[1] -> eda:portal:leader
// ARGV[1] -> holder
// ARGV[2] -> ttl ms
// Returns {epoch or 0, the value held now}.
const leadScript = new LuaScript(`${luaNowMs}
local held = redis.call('GET', KEYS[1])
if held then
	local epoch, holder = string.match(held, '^(%d+) (.*)$')
	if holder == ARGV[1] then
		redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
		return {epoch, held}
	end
	return {0, held}
end
local value = tostring(now) .. ' ' .. ARGV[1]
redis.call('SET', KEYS[1], value, 'PX', tonumber(ARGV[2]))
return {tostring(now), value}
`);

export type LeaseState = {
	/** The epoch while this holder has the lease, else 0. */
	epoch: number;
	/** Who holds it now ('' when nobody). */
	holder: string;
};

export async function lead(redis: Redis, lock: string, holder: string, ttlMs: number): Promise<LeaseState> {
	const [epoch, value] = (await leadScript.run(redis, [lock], [holder, ttlMs])) as [string | number, string];
	return {epoch: Number(epoch), holder: String(value ?? '').replace(/^\d+ /, '')};
}

// Gives the lease up if still held by this holder.
// KEYS[1] -> eda:portal:leader
// ARGV[1] -> holder
const resignScript = new LuaScript(`
local held = redis.call('GET', KEYS[1])
if held and string.match(held, '^%d+ (.*)$') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export async function resign(redis: Redis, lock: string, holder: string): Promise<void> {
	await resignScript.run(redis, [lock], [holder]);
}
