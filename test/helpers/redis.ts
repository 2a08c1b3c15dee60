// A private redis-server per test file: tests never touch the shared Redis on
// 6379, and can kill and restart theirs.
import {Redis} from 'ioredis';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {startPrivateRedis, type PrivateRedis} from '../../source/redis/private-server.js';
import {openRedisSession, type RedisSession} from '../../source/redis/session.js';
import {listTopics} from '../../source/topics/list.js';

export type TestRedis = {
	url: string;
	port: number;
	/** A client for assertions; closed by stop(). */
	client: Redis;
	/** SIGKILL the server (a crash). */
	kill(): Promise<void>;
	/** SIGSTOP the server: connections stay open and nothing answers (a hung Redis). */
	pause(): void;
	/** SIGCONT after pause(). */
	resume(): void;
	/** Start it again on the same port and folder (AOF survives when enabled). */
	restart(): Promise<void>;
	stop(): Promise<void>;
};

/**
 * `cluster`: a one-node Redis Cluster that serves every slot. A plain client
 * works against it as against any Redis, except that Redis refuses what spans
 * slots: a command or script given keys of several slots (CROSSSLOT).
 */
export async function startTestRedis(options: {appendOnly?: boolean; cluster?: boolean} = {}): Promise<TestRedis> {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eda-test-redis-'));
	// A lone cluster node announces no address of its own until it meets another; a cluster client needs one.
	const extraArgs = options.cluster ? ['--cluster-announce-ip', '127.0.0.1'] : [];
	let server: PrivateRedis = await startPrivateRedis({appendOnly: options.appendOnly, dir, cluster: options.cluster, extraArgs});
	const port = server.port;
	const clients: Redis[] = [];
	const client = new Redis(server.url, {maxRetriesPerRequest: null, retryStrategy: () => 50});
	client.on('error', () => {});
	clients.push(client);
	if (options.cluster) {
		await client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
		await waitFor(async () => String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), 'the one-node cluster to serve every slot');
	}
	return {
		url: server.url,
		port,
		client,
		async kill() {
			const gone = new Promise((resolve) => server.process.once('exit', resolve));
			server.process.kill('SIGKILL');
			await gone;
		},
		pause() {
			server.process.kill('SIGSTOP');
		},
		resume() {
			server.process.kill('SIGCONT');
		},
		async restart() {
			server = await startPrivateRedis({appendOnly: options.appendOnly, dir, port, cluster: options.cluster, extraArgs});
		},
		async stop() {
			for (const c of clients) c.disconnect();
			if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGCONT');
			await server.stop();
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
	const started = Date.now();
	let last: unknown;
	for (;;) {
		try {
			const value = await check();
			if (value) return value as NonNullable<T>;
			last = value;
		} catch (error) {
			last = error;
		}
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

/** The event count eda shows for a topic (from its stream), undefined when the topic is not indexed. */
export async function topicCount(client: Redis, topic: string): Promise<number | undefined> {
	return (await listTopics(client)).find((t) => t.topic === topic)?.count;
}

/** A quiet RedisSession on `url`, as the commands open one. */
export function session(url: string): Promise<RedisSession> {
	return openRedisSession({url, say: () => undefined});
}

/** A liveness limit, not a timing assertion: fails with `what` instead of hanging the run. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const limit = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: still not done after ${ms} ms`)), ms);
	});
	try {
		return await Promise.race([promise, limit]);
	} finally {
		clearTimeout(timer);
	}
}

