// The Mesh view's feed: once a second while the view shows, on connections of
// its own and never overlapping, it reads the link figures and the routes the
// mesh keeps on a broker (every bridge writes its figures to every broker, so
// one is enough) and hands the store the lot in one batch. With a topology
// (--broker/--link or --config) it also pings each broker, and reads from the
// first one that answers when the dashboard's own Redis has no mesh figures.
// It only reads: `eda mesh` writes.
import type {Redis} from 'ioredis';
import {describeError} from '../../errors.js';
import {readLinkStates} from '../../mesh/figures.js';
import {readRoutes, splitRouteKey} from '../../mesh/interest.js';
import type {Topology} from '../../mesh/mesh.js';
import {createRedis, displayUrl, waitReady} from '../../redis/connect.js';
import {cleartextWarning} from '../../redis/exposure.js';
import type {RedisSession} from '../../redis/session.js';
import {meshBrokers, meshInterestRows, meshLinkRows, type MeshRouteInput} from '../store/mesh.js';
import type {DashboardStore} from '../store/store.js';
import {pollWhileShown} from './view-poll.js';

export const meshRefreshMs = 1000;

type Broker = {name: string; url: string; redis: Redis};

async function answers(redis: Redis): Promise<boolean> {
	try {
		// A client still connecting (the first read, a reconnect) gets a second to.
		await waitReady(redis, 1000);
		await redis.ping();
		return true;
	} catch {
		return false;
	}
}

async function readFrom(redis: Redis) {
	const [links, routes] = await Promise.all([readLinkStates(redis), readRoutes(redis)]);
	const list: MeshRouteInput[] = [...routes].map(([key, route]) => ({...splitRouteKey(key), dist: route.dist, via: route.via}));
	return {links, routes: list};
}

/** One read into the store; an error keeps the last rows and says why. */
export async function refreshMesh(own: {redis: Redis; display: string}, brokers: Broker[], store: DashboardStore): Promise<void> {
	try {
		const answered = await Promise.all(brokers.map((broker) => answers(broker.redis)));
		let read = await readFrom(own.redis);
		let seenFrom = own.display;
		if (read.links.length === 0) {
			const other = brokers.find((_b, i) => answered[i]);
			if (other) {
				read = await readFrom(other.redis);
				seenFrom = other.name;
			}
		}
		const topology = brokers.map((broker, i) => ({name: broker.name, url: displayUrl(broker.url), answers: answered[i]}));
		store.setMesh({
			enabled: true,
			loaded: true,
			seenFrom,
			brokers: meshBrokers(topology, read.links, read.routes),
			links: meshLinkRows(read.links),
			interest: meshInterestRows(read.routes),
		});
	} catch (error) {
		const previous = store.getState().mesh;
		store.setMesh({...previous, loaded: true, error: `reading the mesh failed: ${describeError(error)}`});
	}
}

export async function startMeshFeed(session: RedisSession, store: DashboardStore, topology: Topology | undefined, everyMs = meshRefreshMs): Promise<{stop(): void}> {
	const own = {redis: session.connect('eda:dashboard:mesh', {commandTimeoutMs: 2000}), display: session.display};
	// The topology's brokers are reached on connections of the feed's own, not through a session: warn here as a session would.
	for (const {name, url} of topology?.brokers ?? []) {
		const warning = cleartextWarning(url);
		if (warning) store.appendLog('eda', [`broker ${name}: ${warning}`]);
	}
	// Commands fail at once while a broker is away: the view says so instead of waiting.
	const brokers: Broker[] = (topology?.brokers ?? []).map(({name, url}) => ({name, url, redis: createRedis(url, {name: 'eda:dashboard:mesh', offlineQueue: false, commandTimeoutMs: 1000})}));
	const poll = await pollWhileShown(store, 'mesh', () => store.getState().mesh.loaded, () => refreshMesh(own, brokers, store), everyMs);
	return {
		stop() {
			poll.stop();
			own.redis.disconnect();
			for (const broker of brokers) broker.redis.disconnect();
		},
	};
}
