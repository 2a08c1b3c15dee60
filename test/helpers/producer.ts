// A private Redis with an in-process producer on a free port: the fixture of
// the tests that drive consumers and outages against the real producer.
import {startProducer, type RunningProducer} from '../../source/producer/server.js';
import {openRedisSession, type RedisSession} from '../../source/redis/session.js';
import {request} from './http.js';
import {startTestRedis, waitFor, type TestRedis} from './redis.js';

export type ProducerFixture = {
	redis: TestRedis;
	session: RedisSession;
	producer: RunningProducer;
	/** Closes the producer, the session and the Redis. */
	stop(): Promise<void>;
};

export async function startProducerFixture(options: {appendOnly?: boolean} = {}): Promise<ProducerFixture> {
	const redis = await startTestRedis(options);
	const session = await openRedisSession({url: redis.url, say: () => {}});
	const producer = await startProducer({session, output: {emit: () => {}}, port: 0});
	await waitFor(async () => (await request(producer.url, '/healthz')).status === 200, 'the producer connected to Redis');
	return {
		redis,
		session,
		producer,
		async stop() {
			await producer.close();
			await session.close();
			await redis.stop();
		},
	};
}
