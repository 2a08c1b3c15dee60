import net from 'node:net';
import type {Redis} from 'ioredis';
import {UserError, describeError} from '../errors.js';
import {sanitize} from '../text/index.js';
import {closeRedis, createCluster, createRedis, defaultRedisUrl, displayUrl, eachMaster, waitReady, type ConnectOptions} from './connect.js';
import {readClusterStatus, type ClusterStatus} from './cluster-status.js';
import {cleartextWarning, clusterCleartextWarning} from './exposure.js';
import {hasOldLayout} from './migrate.js';
import {onPath, portAnswers, startPrivateRedis, type PrivateRedis} from './private-server.js';

export type RedisSession = {
	/** The URL in use (a private server's when one was started). */
	url: string;
	/** The URL with any password hidden. */
	display: string;
	privateServer?: PrivateRedis;
	/** The seed URLs when on a Redis Cluster (--cluster); undefined on a single node. */
	seeds?: string[];
	/**
	 * A new client on this session's Redis (a cluster client with --cluster),
	 * closed with the session. The one factory for every command: each call is
	 * its own connection (per node on a cluster), so a blocking read on one never
	 * delays another's commands.
	 */
	connect(name: string, options?: ConnectOptions): Redis;
	/** On a cluster: masters up, slots covered, the nodes each connection uses; undefined on a single node. */
	clusterStatus(): Promise<ClusterStatus | undefined>;
	close(): Promise<void>;
};

export type SessionOptions = {
	/** From --redis-url or REDIS_URL; undefined means the default. */
	url?: string;
	/** One line for the user (private server started, eviction warning). */
	say: (line: string) => void;
	/** How long to wait for the first answer. */
	timeoutMs?: number;
	/** --cluster; undefined reads REDIS_CLUSTER. */
	cluster?: boolean;
};

/** --cluster, else REDIS_CLUSTER=1 (or true/yes). */
export function wantsCluster(flag: boolean | undefined): boolean {
	if (flag !== undefined && flag) return true;
	return /^(1|true|yes)$/i.test(process.env['REDIS_CLUSTER'] ?? '');
}

/**
 * The seed URLs of a --redis-url: split at each comma followed by redis:// or
 * rediss://, so a comma inside a password stays in it.
 */
export function splitSeeds(url: string): string[] {
	return url
		.split(/,(?=\s*rediss?:\/\/)/i)
		.map((seed) => seed.trim())
		.filter((seed) => seed !== '');
}

/**
 * The default URL, overridable for tests of the private-server fallback (the
 * machine running them may already have a Redis on 6379).
 */
function defaultUrl(): string {
	return process.env['EDA_DEFAULT_REDIS_URL'] ?? defaultRedisUrl;
}

export function resolveRedisUrl(flag: string | undefined): {url: string; explicit: boolean} {
	const given = flag ?? process.env['REDIS_URL'];
	if (given !== undefined && given !== '') return {url: given, explicit: true};
	return {url: defaultUrl(), explicit: false};
}

/**
 * The URL's shape for error lines. Not written as redis://user:password@host:
 * every error line is masked whole (errors.ts), which would show that as
 * redis://user:***@host and hide where the password goes.
 */
const urlShape = 'redis://host:port[/db], with [user]:password@ before the host when Redis wants a password';

export function validateRedisUrl(url: string): void {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new UserError(`--redis-url: "${displayUrl(url)}" is not a URL; expected ${urlShape}`, 2);
	}
	if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
		throw new UserError(`--redis-url: "${displayUrl(url)}" must start with redis:// or rediss://`, 2);
	}
	// ioredis reads anything after the port (or ?db=) with parseInt: "/abc" would
	// become NaN and throw on every command. Whether Redis has the database is
	// checked once connected (checkDatabase).
	const db = parsed.pathname.length > 1 ? parsed.pathname.slice(1) : parsed.searchParams.get('db');
	if (db !== null && !/^-?\d{1,9}$/.test(db)) {
		throw new UserError(`--redis-url: "${sanitize(db)}" is not a database number; expected ${urlShape}`, 2);
	}
}

function howToGetRedis(url: string): string {
	return [
		`Cannot reach Redis at ${displayUrl(url)}.`,
		'Start one: install it with your package manager (apt install redis-server, brew install redis)',
		'or run `docker run -d -p 6379:6379 redis`; or point eda elsewhere with --redis-url or REDIS_URL.',
	].join(' ');
}

/**
 * Connects to Redis. When nothing answers at the default URL and redis-server
 * is on the PATH, starts a private one on loopback (no disk writes) and says so.
 */
export async function openRedisSession(options: SessionOptions): Promise<RedisSession> {
	const {url: requested, explicit} = resolveRedisUrl(options.url);
	if (wantsCluster(options.cluster)) return openClusterSession(splitSeeds(requested), options);
	if (splitSeeds(requested).length > 1) {
		throw new UserError(`--redis-url: "${displayUrl(requested)}" names several seeds; add --cluster (or REDIS_CLUSTER=1) to use them as the nodes of a Redis Cluster`, 2);
	}
	validateRedisUrl(requested);
	const exposed = cleartextWarning(requested);
	if (exposed) options.say(exposed);
	let url = requested;
	let privateServer: PrivateRedis | undefined;

	if (!(await answers(url, options.timeoutMs ?? 1500))) {
		if (explicit || !onPath('redis-server')) throw new UserError(howToGetRedis(url), 1);
		const port = Number(new URL(url).port || 6379);
		try {
			privateServer = await startPrivateRedis({port: (await portAnswers(port)) ? undefined : port});
		} catch (error) {
			throw new UserError(`${howToGetRedis(url)} (starting redis-server failed: ${describeError(error)})`, 1);
		}
		url = privateServer.url;
		options.say(`No Redis at ${displayUrl(requested)}; started a private redis-server at ${url} (stopped when eda exits).`);
	}

	const clients = new Set<Redis>();
	const session: RedisSession = {
		url,
		display: displayUrl(url),
		privateServer,
		connect(name, connectOptions) {
			const client = createRedis(url, {name, ...connectOptions});
			clients.add(client);
			client.once('end', () => clients.delete(client));
			return client;
		},
		clusterStatus: () => Promise.resolve(undefined),
		async close() {
			await Promise.all([...clients].map((client) => closeRedis(client)));
			await privateServer?.stop();
		},
	};
	try {
		await checkServer(session, url, options.say);
	} catch (error) {
		await session.close();
		throw error;
	}
	return session;
}

/**
 * A session on a Redis Cluster: every client is an ioredis Cluster on the
 * seeds. Never starts a private server (a cluster is not something to stand in
 * for); a seed naming a database other than 0 is refused (a cluster has only 0).
 */
async function openClusterSession(seeds: string[], options: SessionOptions): Promise<RedisSession> {
	if (seeds.length === 0) throw new UserError('--redis-url: no seed URL given for --cluster', 2);
	for (const seed of seeds) {
		validateRedisUrl(seed);
		const parsed = new URL(seed);
		const db = parsed.pathname.length > 1 ? parsed.pathname.slice(1) : parsed.searchParams.get('db');
		if (db !== null && Number(db) !== 0) {
			throw new UserError(`--redis-url: "${displayUrl(seed)}" names database ${sanitize(db)}; a Redis Cluster has only database 0 (drop /${sanitize(db)})`, 2);
		}
	}
	const exposed = clusterCleartextWarning(seeds);
	if (exposed) options.say(exposed);
	const display = seeds.map((seed) => displayUrl(seed)).join(',');
	await clusterAnswers(seeds, display, options.timeoutMs ?? 3000);

	const clients = new Map<Redis, string>();
	let statusClient: Redis | undefined;
	const session: RedisSession = {
		url: seeds.join(','),
		display,
		seeds,
		connect(name, connectOptions) {
			const client = createCluster(seeds, {name, ...connectOptions});
			clients.set(client, name);
			client.once('end', () => clients.delete(client));
			return client;
		},
		async clusterStatus() {
			statusClient ??= session.connect('eda:cluster-status', {commandTimeoutMs: 1000});
			return readClusterStatus(statusClient, [...clients].filter(([client]) => client !== statusClient));
		},
		async close() {
			await Promise.all([...clients.keys()].map((client) => closeRedis(client)));
		},
	};
	try {
		await checkServer(session, display, options.say);
	} catch (error) {
		await session.close();
		throw error;
	}
	return session;
}

/** Waits for the cluster's map of slots; one clear line when nothing (or no cluster) answers. */
async function clusterAnswers(seeds: string[], display: string, timeoutMs: number): Promise<void> {
	let lastError = '';
	const probe = createCluster(seeds, {name: 'eda:probe', onState: (_state, detail) => (lastError = detail ?? lastError)});
	try {
		await waitReady(probe, timeoutMs);
	} catch {
		if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(lastError)) {
			throw new UserError(`Redis Cluster at ${display} refused the credentials (${lastError.replace(/\.+$/, '')}). Put the password in the URL, as :password@ just before the host`, 1);
		}
		if (/cluster support disabled/i.test(lastError) || (await singleNodeAnswers(seeds))) {
			throw new UserError(`Redis at ${display} is not a Redis Cluster node; drop --cluster (and REDIS_CLUSTER) to use it as a single node`, 2);
		}
		throw new UserError(`Cannot reach a Redis Cluster at ${display}${lastError ? ` (${lastError})` : ''}. With --cluster eda never starts a private server: start the cluster, or name its nodes in --redis-url`, 1);
	} finally {
		probe.disconnect();
	}
}

/** Whether a seed answers as a plain Redis (so --cluster is the mistake). */
async function singleNodeAnswers(seeds: string[]): Promise<boolean> {
	for (const seed of seeds) {
		const client = createRedis(seed, {name: 'eda:probe'});
		try {
			await waitReady(client, 500);
			const info = await client.info('cluster');
			if (/^cluster_enabled:0/m.test(info)) return true;
		} catch {
			// Not answering: try the next seed.
		} finally {
			client.disconnect();
		}
	}
	return false;
}

/** The oldest Redis with every command eda sends (XAUTOCLAIM, XADD NOMKSTREAM). */
export const minimumRedis = [6, 2] as const;

/** Whether a redis_version string is at least the minimum. */
export function recentEnough(version: string): boolean {
	const [major = 0, minor = 0] = version.split('.').map(Number);
	return major > minimumRedis[0] || (major === minimumRedis[0] && minor >= minimumRedis[1]);
}

/**
 * Whether Redis at a redis:// URL refuses us with DENIED (protected mode). It
 * writes that and closes before ioredis reads it, so ioredis reports only a
 * reset connection: this reads the first reply on a plain socket.
 */
function deniedByProtectedMode(url: string): Promise<boolean> {
	const parsed = new URL(url);
	if (parsed.protocol !== 'redis:') return Promise.resolve(false);
	return new Promise((resolve) => {
		let reply = '';
		const socket = net.connect({host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port || 6379)});
		const done = (denied: boolean) => {
			socket.destroy();
			resolve(denied);
		};
		socket.setTimeout(1000, () => done(false));
		socket.on('error', () => done(/^-DENIED/.test(reply)));
		socket.on('close', () => done(/^-DENIED/.test(reply)));
		socket.on('data', (chunk) => {
			reply += chunk.toString('latin1');
			if (reply.includes('\r\n')) done(/^-DENIED/.test(reply));
		});
	});
}

/** True when Redis answers; throws a UserError when it answers but refuses us. */
async function answers(url: string, timeoutMs: number): Promise<boolean> {
	let lastError = '';
	const probe = createRedis(url, {name: 'eda:probe', onState: (_state, detail) => (lastError = detail ?? lastError)});
	try {
		await waitReady(probe, timeoutMs);
		return true;
	} catch {
		if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(lastError)) {
			throw new UserError(`Redis at ${displayUrl(url)} refused the credentials (${lastError.replace(/\.+$/, '')}). Put the password in the URL, as :password@ just before the host`, 1);
		}
		// Redis's own protected mode: it answers, but only loopback clients while it has no password.
		if (/ECONNRESET|EPIPE/.test(lastError) && (await deniedByProtectedMode(url))) {
			throw new UserError(`Redis at ${displayUrl(url)} answers only clients on its own machine (its protected mode: it has no password). Give it one (requirepass) and put that in the URL, as :password@ just before the host`, 1);
		}
		return false;
	} finally {
		probe.disconnect();
	}
}

/**
 * Once at start: a Redis too old for eda's commands is a clear error (it would
 * otherwise answer every publish with a syntax error), and eviction, which can
 * silently drop queued events and leases, a warning.
 */
async function checkServer(session: RedisSession, url: string, say: (line: string) => void): Promise<void> {
	const client = session.connect('eda:check');
	try {
		if (session.seeds === undefined && /^cluster_enabled:1/m.test(await client.info('cluster').catch(() => ''))) {
			throw new UserError(`Redis at ${displayUrl(url)} is a node of a Redis Cluster; add --cluster (or REDIS_CLUSTER=1), with one or more of its nodes in --redis-url`, 2);
		}
		if (session.seeds === undefined) await checkDatabase(client, url);
		if (session.seeds === undefined && (await hasOldLayout(client).catch(() => false))) {
			say(`Redis at ${displayUrl(url)} holds eda keys of the layout before hash tags (eda:stream:…, eda:deferred:…), which this eda does not read: run \`eda migrate\` to see the moves, then \`eda migrate --apply\`.`);
		}
		else await waitReady(client, 3000);
		// One line per warning, however many masters say it.
		const said = new Set<string>();
		const sayOnce = (line: string) => {
			if (!said.has(line)) say(line);
			said.add(line);
		};
		for (const node of eachMaster(client)) await checkNode(node, url, sayOnce);
	} catch (error) {
		if (error instanceof UserError) throw error;
		// CONFIG may be disabled on managed Redis; nothing to check then.
	} finally {
		await closeRedis(client);
	}
}

async function checkNode(client: Redis, url: string, say: (line: string) => void): Promise<void> {
	{
		const version = /^redis_version:(\S+)/m.exec(await client.info('server').catch(() => ''))?.[1];
		if (version && !recentEnough(version)) {
			throw new UserError(`Redis at ${displayUrl(url)} is version ${sanitize(version)}; eda needs Redis ${minimumRedis.join('.')} or newer.`, 1);
		}
		const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
		const policy = reply[1];
		if (policy && policy !== 'noeviction') {
			say(`Warning: Redis maxmemory-policy is "${sanitize(policy)}"; it may evict queued events. Set it to noeviction.`);
		}
	}
}

/**
 * ioredis SELECTs the URL's database (redis://host:port/N, or ?db=N) on every
 * connect, but when Redis refuses it only emits an error and goes on in
 * database 0: every write would land there. So the start selects it once
 * itself and stops with one line when Redis has no such database.
 */
async function checkDatabase(client: Redis, url: string): Promise<void> {
	const db = client.options.db;
	if (db === undefined || db === null || String(db) === '0') return;
	try {
		await client.select(String(db));
	} catch (error) {
		const reply = (await client.config('GET', 'databases').catch(() => [])) as string[];
		const count = Number(reply[1]);
		const has = Number.isInteger(count) && count > 0 ? `; it has databases 0 to ${count - 1}` : '';
		throw new UserError(`Redis at ${displayUrl(url)} has no database ${sanitize(String(db))} (${sanitize(describeError(error))})${has}. Pick one in --redis-url: redis://host:port/N`, 1);
	}
}
