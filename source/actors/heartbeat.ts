import os from 'node:os';
import {randomBytes} from 'node:crypto';
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {luaNowMs} from '../redis/clock.js';
import {LuaScript} from '../redis/script.js';

export type ActorKind = 'producer' | 'consumer' | 'group-consumer' | 'master' | 'worker' | 'lab' | 'portal';

export type ActorInfo = {
	name: string;
	kind: string;
	pid: number;
	host: string;
	/** ms since epoch, Redis time. */
	started: number;
	handled: number;
	/** Free-form detail: topic, group, interval. */
	detail: string;
};

/** How long a heartbeat lives without renewal; renewed every third of it. */
export const heartbeatTtlMs = 15_000;

export function actorName(kind: ActorKind): string {
	return `${kind}:${os.hostname()}:${process.pid}:${randomBytes(2).toString('hex')}`;
}

// One script: the hash, its expiry and the index entry change together.
// KEYS[1] -> eda:{actors}:index
// KEYS[2] -> eda:{actors}:actor:<name>
// ARGV[1] -> ttl ms
// ARGV[2..7] -> name, kind, pid, host, events handled, detail
// Returns Redis ms.
const beatScript = new LuaScript(`${luaNowMs}
local ttl = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('HSET', KEYS[2], 'started', now) end
redis.call('HSET', KEYS[2], 'name', ARGV[2], 'kind', ARGV[3], 'pid', ARGV[4], 'host', ARGV[5], 'handled', ARGV[6], 'detail', ARGV[7])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return now
`);

/**
 * An actor's presence in Redis: name, kind, pid, host, started and events
 * handled, expiring when the actor stops renewing it, so any process can list
 * who is alive.
 */
export class Heartbeat {
	handled = 0;
	private timer: NodeJS.Timeout | undefined;
	private inFlight: Promise<void> | undefined;

	constructor(
		private readonly redis: Redis,
		readonly name: string,
		readonly kind: ActorKind,
		private detail = '',
	) {}

	start(): void {
		this.inFlight = this.beat();
		this.timer = setInterval(() => (this.inFlight = this.beat()), heartbeatTtlMs / 3);
		this.timer.unref();
	}

	setDetail(detail: string): void {
		this.detail = detail;
	}

	async beat(): Promise<void> {
		try {
			await beatScript.run(this.redis, [keys.actors, keys.actor(this.name)], [heartbeatTtlMs, this.name, this.kind, process.pid, os.hostname(), this.handled, this.detail]);
		} catch {
			// Redis is away; the next beat after the reconnect renews it.
		}
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
		// The first beat goes out while the connection is still opening; waiting
		// on a queued one here and deleting after it keeps it from landing later
		// and bringing the heartbeat back for its TTL. Bounded: Redis may be away.
		if (this.inFlight) await Promise.race([this.inFlight, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
		// Redis away (or hung): the heartbeat expires by itself; never wait for it.
		if (this.redis.status !== 'ready') return;
		try {
			await Promise.race([
				this.redis.multi().del(keys.actor(this.name)).zrem(keys.actors, this.name).exec(),
				new Promise((resolve) => setTimeout(resolve, 1000).unref()),
			]);
		} catch {
			// Gone while stopping: it expires by itself.
		}
	}
}

/** Every actor whose heartbeat has not expired, on any host. */
export async function listActors(redis: Redis): Promise<ActorInfo[]> {
	const names = await redis.zrange(keys.actors, 0, -1);
	if (names.length === 0) return [];
	const pipeline = redis.pipeline();
	for (const name of names) pipeline.hgetall(keys.actor(name));
	const replies = (await pipeline.exec()) ?? [];
	const actors: ActorInfo[] = [];
	for (const [error, value] of replies) {
		const hash = value as Record<string, string> | null;
		if (error || !hash || !hash['name']) continue;
		actors.push({
			name: hash['name'],
			kind: hash['kind'] ?? '',
			pid: Number(hash['pid'] ?? 0),
			host: hash['host'] ?? '',
			started: Number(hash['started'] ?? 0),
			handled: Number(hash['handled'] ?? 0),
			detail: hash['detail'] ?? '',
		});
	}
	return actors;
}
