// Topic traffic as it happens: one PSUBSCRIBE '*' connection counts every
// message on this Redis, from eda, the article's Go tool or redis-cli, without
// polling. eda's own channels and the Go tool's deferred channel are not topics.
import type {Redis} from 'ioredis';
import {goCompat} from '../../redis/keys.js';
import type {RedisSession} from '../../redis/session.js';
import type {DashboardStore} from '../store/store.js';

export function isTopicChannel(channel: string): boolean {
	return !channel.startsWith('eda:') && !channel.startsWith('__') && channel !== goCompat.masterChannel;
}

export async function watchTopics(session: RedisSession, store: DashboardStore): Promise<{stop(): void}> {
	const subscriber: Redis = session.connect('eda:dashboard:topics');
	subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
		if (isTopicChannel(channel)) store.recordTopic(channel, message);
	});
	await subscriber.psubscribe('*');
	return {
		stop() {
			subscriber.disconnect();
		},
	};
}
