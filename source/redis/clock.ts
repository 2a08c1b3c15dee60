import type {Redis} from 'ioredis';

/**
 * Redis time in milliseconds. Schedules and countdowns use Redis's clock, not
 * this machine's: the offset is measured with TIME and corrected for half the
 * round trip, so `now()` costs no round trip.
 */
export class RedisClock {
	private offsetMs = 0;

	async sync(redis: Redis): Promise<number> {
		const before = Date.now();
		const [seconds, micros] = (await redis.time()) as [string | number, string | number];
		const after = Date.now();
		const redisMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
		this.offsetMs = redisMs - Math.round((before + after) / 2);
		return after - before;
	}

	now(): number {
		return Date.now() + this.offsetMs;
	}
}

/** Lua snippet: Redis time in ms as a number. */
export const luaNowMs = `local __t = redis.call('TIME'); local now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)`;
