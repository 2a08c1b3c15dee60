// One script per state change of a service: the service's field on the order,
// its expiry and the lab's counters move together, and a repeat of the same
// change (a redelivered event) answers what was decided the first time.
import type {Redis} from 'ioredis';
import {LuaScript} from '../../redis/script.js';
import {labKeys, labStateTtlMs} from '../keys.js';

// KEYS[1] -> eda:{lab:orders}:order:<orderId>
// KEYS[2] -> eda:{lab:orders}:counters
// ARGV[1] -> field
// ARGV[2] -> required current value ('' = absent)
// ARGV[3] -> new value
// ARGV[4] -> ttl ms
// ARGV[5] -> counter to add to on change ('' = none)
// ARGV[6] -> amount: a number, or '@field' to take it from the order's hash
// ARGV[7] -> counter bumped when the field already holds another value ('' = none)
// ARGV[8..] -> field, value pairs set with the change
// Returns {value now, 1 if changed else 0, amount}.
const transitionScript = new LuaScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local by = ARGV[6]
if string.sub(by, 1, 1) == '@' then by = redis.call('HGET', KEYS[1], string.sub(by, 2)) or '0' end
if cur == ARGV[3] then return {cur, 0, by} end
local ok
if ARGV[2] == '' then ok = (cur == false) else ok = (cur == ARGV[2]) end
if not ok then
  if ARGV[7] ~= '' and cur then redis.call('HINCRBY', KEYS[2], ARGV[7], 1) end
  return {cur or '', 0, by}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
for i = 8, #ARGV - 1, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[5], by) end
return {ARGV[3], 1, by}
`);

export type Transition = {
	field: string;
	from?: string;
	to: string;
	counter?: string;
	/** A number, or `@field` for a value stored earlier on the order. */
	amount?: number | string;
	conflictCounter?: string;
	set?: Record<string, string | number>;
};

export type TransitionResult = {value: string; changed: boolean; amount: number};

export async function transition(redis: Redis, orderId: string, t: Transition): Promise<TransitionResult> {
	const extra = Object.entries(t.set ?? {}).flat();
	const [value, changed, amount] = (await transitionScript.run(redis, [labKeys.orders.order(orderId), labKeys.orders.counters], [
		t.field,
		t.from ?? '',
		t.to,
		labStateTtlMs,
		t.counter ?? '',
		t.amount ?? 1,
		t.conflictCounter ?? '',
		...extra,
	])) as [string, number, string];
	return {value, changed: changed === 1, amount: Number(amount) || 0};
}
