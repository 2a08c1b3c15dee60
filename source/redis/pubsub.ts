// Pub/sub questions whose answer is per node: on a Redis Cluster a classic
// subscriber is known only to the node it subscribed on, so every node is
// asked and the answers combined. On a single node, one command as before.
import type {Redis} from 'ioredis';
import {eachNode, isCluster} from './connect.js';
import {fieldMap} from './reply.js';

/** PUBSUB NUMSUB as flat pairs (channel, count), summed over every node. */
export async function numsub(redis: Redis, channels: string[]): Promise<unknown[]> {
	if (!isCluster(redis)) return (await redis.call('PUBSUB', 'NUMSUB', ...channels)) as unknown[];
	const replies = await Promise.all(eachNode(redis).map((node) => node.call('PUBSUB', 'NUMSUB', ...channels).catch(() => []) as Promise<unknown[]>));
	const sums = new Map<string, number>(channels.map((c) => [c, 0]));
	for (const reply of replies) for (const [name, count] of fieldMap(reply)) sums.set(name, (sums.get(name) ?? 0) + Number(count));
	return [...sums].flat();
}

/** PUBSUB CHANNELS, the union over every node. */
export async function channels(redis: Redis): Promise<string[]> {
	if (!isCluster(redis)) return (await redis.pubsub('CHANNELS')) as string[];
	const replies = await Promise.all(eachNode(redis).map((node) => (node.pubsub('CHANNELS') as Promise<string[]>).catch(() => [] as string[])));
	return [...new Set(replies.flat())];
}
