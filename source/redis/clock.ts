import type {Redis} from 'ioredis';

/** A TIME reply (seconds, microseconds) as Redis ms: the client's form of luaNowMs. */
export function timeReplyMs([seconds, micros]: readonly (string | number)[]): number {
	return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * Redis time in milliseconds. Schedules and countdowns use Redis's clock, not
 * this machine's: the offset is measured with TIME and corrected for half the
 * round trip, so `now()` costs no round trip.
 */
export class RedisClock {
	private offsetMs = 0;

	async sync(redis: Redis): Promise<number> {
		const before = Date.now();
		const redisMs = timeReplyMs(await redis.time());
		const after = Date.now();
		this.offsetMs = redisMs - Math.round((before + after) / 2);
		return after - before;
	}

	now(): number {
		return Date.now() + this.offsetMs;
	}
}

/** Lua snippet, the one way scripts read the time: Redis time in ms as a number, in `now`. */
export const luaNowMs = `local __t = redis.call('TIME'); local now = tonumber(__t[1]) * 1000 + math.floor(tonumber(__t[2]) / 1000)`;
