// The lock that says which master re-publishes the Go tool's `master` channel.
import type {Redis} from 'ioredis';
import {LuaScript} from '../redis/script.js';

// Takes or keeps the lock.
// KEYS[1] -> the lock, eda:{message:queue}:channel-leader
// ARGV[1] -> holder
// ARGV[2] -> ttl ms
// Returns 1 while this holder has it.
const leadScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
	return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return 1 end
return 0
`);

/** Takes or keeps `lock` for `ttlMs`; true while this holder has it. */
export async function lead(redis: Redis, lock: string, holder: string, ttlMs: number): Promise<boolean> {
	return Number(await leadScript.run(redis, [lock], [holder, ttlMs])) === 1;
}

// Gives the lock up if still held.
// KEYS[1] -> the lock, eda:{message:queue}:channel-leader
// ARGV[1] -> holder
const resignScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export async function resign(redis: Redis, lock: string, holder: string): Promise<void> {
	await resignScript.run(redis, [lock], [holder]);
}
