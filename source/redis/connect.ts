import {Cluster, Redis, type ClusterOptions, type RedisOptions} from 'ioredis';
import {describeError} from '../errors.js';

export const defaultRedisUrl = 'redis://127.0.0.1:6379';

export type ConnectOptions = {
	/** Connection name shown by CLIENT LIST. */
	name?: string;
	/**
	 * false: commands fail at once while disconnected (the producer answers 503
	 * instead of holding requests). true: commands wait for the reconnect.
	 */
	offlineQueue?: boolean;
	/** Called once per connection state change, for status bars and logs. */
	onState?: (state: RedisState, detail?: string) => void;
	/** Fail a command that got no answer within this many ms (a hung or stopped Redis). */
	commandTimeoutMs?: number;
	/**
	 * false: each command is written at once. Auto-pipelining (the default)
	 * gathers a turn's commands into one write, at the cost of a turn's wait
	 * and a pipeline per write: a loop with one call out at a time (the
	 * deferred worker) gains nothing from it.
	 */
	autoPipelining?: boolean;
};

export type RedisState = 'connecting' | 'connected' | 'reconnecting' | 'down';

/** Backoff for reconnects: 100 ms, 200 ms, ... up to 2 s, forever. */
export function reconnectDelay(attempt: number): number {
	return Math.min(attempt * 100, 2000);
}

/**
 * Each change of a client's connection state, once (a plain client and a
 * cluster emit the same events). Every 'error' is handled here, so ioredis
 * never prints a stack trace for an unhandled one.
 */
function reportState(client: Redis | Cluster, onState: ConnectOptions['onState']): void {
	let last: RedisState | undefined;
	const emit = (state: RedisState, detail?: string) => {
		if (state === last) return;
		last = state;
		onState?.(state, detail);
	};
	client.on('error', (error: unknown) => emit('down', describeError(error)));
	client.on('ready', () => emit('connected'));
	client.on('reconnecting', () => emit('reconnecting'));
	client.on('end', () => emit('down', 'connection closed'));
}

/**
 * A client that reconnects with backoff forever and never throws an unhandled
 * 'error' event (ioredis would print a stack trace for those).
 */
export function createRedis(url: string, options: ConnectOptions = {}): Redis {
	const redisOptions: RedisOptions = {
		connectionName: options.name,
		retryStrategy: reconnectDelay,
		maxRetriesPerRequest: options.offlineQueue === false ? 0 : null,
		enableOfflineQueue: options.offlineQueue !== false,
		enableAutoPipelining: options.autoPipelining !== false,
		lazyConnect: false,
		commandTimeout: options.commandTimeoutMs,
	};
	const client = new Redis(url, redisOptions);
	reportState(client, options.onState);
	return client;
}

/** Resolves when the client is ready, rejects after `timeoutMs`. */
export function waitReady(client: Redis, timeoutMs: number): Promise<void> {
	if (client.status === 'ready') return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			cleanup();
			reject(new Error(`no answer within ${timeoutMs} ms`));
		}, timeoutMs);
		const onReady = () => {
			cleanup();
			resolve();
		};
		const cleanup = () => {
			clearTimeout(timer);
			client.off('ready', onReady);
		};
		client.on('ready', onReady);
	});
}

/** Quits politely, or disconnects when Redis is not there to answer. */
export async function closeRedis(client: Redis): Promise<void> {
	if (client.status === 'end') return;
	try {
		if (client.status === 'ready') await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 500))]);
	} catch {
		// Already gone: nothing to say goodbye to.
	}
	client.disconnect();
}

/** Hides the password when a URL is shown to the user (source/text/mask-url.ts). */
export {maskUrl as displayUrl} from '../text/mask-url.js';

/**
 * A Redis Cluster client from seed URLs, typed as a Redis: eda calls the same
 * commands on both, and ioredis routes each by its first key's slot (scripts
 * included: EVALSHA and EVAL carry their keys). The credentials and TLS of the
 * first seed apply to every node the cluster announces.
 */
export function createCluster(seeds: readonly string[], options: ConnectOptions = {}): Redis {
	const first = new URL(seeds[0] ?? defaultRedisUrl);
	const redisOptions: ClusterOptions['redisOptions'] = {
		connectionName: options.name,
		maxRetriesPerRequest: options.offlineQueue === false ? 0 : null,
		commandTimeout: options.commandTimeoutMs,
		username: first.username ? decodeURIComponent(first.username) : undefined,
		password: first.password ? decodeURIComponent(first.password) : (first.searchParams.get('password') ?? undefined),
		tls: first.protocol === 'rediss:' ? {} : undefined,
	};
	const client = new Cluster(
		seeds.map((seed) => {
			const url = new URL(seed);
			return {host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 6379)};
		}),
		{
			redisOptions,
			clusterRetryStrategy: reconnectDelay,
			enableOfflineQueue: options.offlineQueue !== false,
			enableAutoPipelining: options.autoPipelining !== false,
			scaleReads: 'master',
			// A failover takes the node timeout (seconds): keep asking for the new map
			// rather than giving up after the default 16 redirections.
			retryDelayOnFailover: 100,
			retryDelayOnClusterDown: 100,
			slotsRefreshTimeout: 2000,
			lazyConnect: false,
		},
	);
	// A node's own errors come again as the cluster's 'error' when they matter.
	client.on('node error', () => undefined);
	reportState(client, options.onState);
	return client as unknown as Redis;
}

/** Whether a client made by createCluster. */
export function isCluster(client: Redis): boolean {
	return (client as unknown as {isCluster?: boolean}).isCluster === true;
}

/** The masters' own clients of a cluster client, or the client itself on a single node: for keyless commands (SCAN, INFO). */
export function eachMaster(client: Redis): Redis[] {
	if (!isCluster(client)) return [client];
	return (client as unknown as Cluster).nodes('master');
}

/** Every node's own client (replicas too) of a cluster client, or the client itself: for node-local state (pub/sub counts). */
export function eachNode(client: Redis): Redis[] {
	if (!isCluster(client)) return [client];
	return (client as unknown as Cluster).nodes('all');
}
