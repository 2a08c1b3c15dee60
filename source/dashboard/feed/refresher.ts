// The once-a-second refresh: two pipelined round trips (snapshot.ts), never
// overlapping, on its own connection whose state the status bar shows.
import type {Redis} from 'ioredis';
import {describeError} from '../../errors.js';
import {RedisClock} from '../../redis/clock.js';
import type {RedisSession} from '../../redis/session.js';
import type {DashboardStore} from '../store/store.js';
import {readSnapshot} from './snapshot.js';

export const refreshMs = 1000;
const clockSyncMs = 30_000;

export type Refresher = {
	clock: RedisClock;
	/** Refresh now (after a publish, so the event shows without waiting). */
	poke(): void;
	stop(): void;
};

export async function startRefresher(session: RedisSession, store: DashboardStore, clock: RedisClock, onTick?: () => void): Promise<Refresher> {
	const redis: Redis = session.connect('eda:dashboard', {
		onState: (state, detail) => {
			store.status({redisState: state});
			if (state === 'down' && detail) store.notice(`Redis: ${detail}`, true);
		},
	});
	let running = false;
	let stopped = false;
	let lastSync = 0;

	const refresh = async () => {
		if (running || stopped) return;
		running = true;
		try {
			if (Date.now() - lastSync > clockSyncMs) {
				await clock.sync(redis);
				lastSync = Date.now();
			}
			const known = store.topicNames();
			const snapshot = await readSnapshot(redis, known.length > 0 ? known : [...store.live.topics.keys()]);
			if (!stopped) store.applySnapshot(snapshot);
		} catch (error) {
			if (!stopped && redis.status === 'ready') store.notice(`refresh failed: ${describeError(error)}`, true);
		} finally {
			running = false;
		}
		onTick?.();
	};

	await refresh();
	const timer = setInterval(() => void refresh(), refreshMs);
	return {
		clock,
		poke: () => void refresh(),
		stop() {
			stopped = true;
			clearInterval(timer);
		},
	};
}
