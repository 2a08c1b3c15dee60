// The routing round of one broker, about seven times a second: find its own
// interest, read each neighbour's advertised routes, and write its own table
// (interest.ts computeRoutes). One round moves interest one hop, so a new
// subscriber three hops away is known everywhere within about a second.
import type {Redis} from 'ioredis';
import type {RedisSession} from '../redis/session.js';
import {computeRoutes, defaultHopLimit, localInterest, readRoutes, redisNow, writeRoutes, type RouteTable} from './interest.js';

export const routeRoundMs = 150;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A promise that gives up after `ms` (a stopped broker never answers). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
	return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

export type RouterOptions = {
	broker: string;
	session: RedisSession;
	/** Each neighbour's session. */
	neighbours: Map<string, RedisSession>;
	hopLimit?: number;
};

export class Router {
	private readonly redis: Redis;
	private readonly neighbours = new Map<string, Redis>();
	private running = false;
	private loop: Promise<void> | undefined;
	/** Resolved after the first round wrote a table. */
	private firstRound: Promise<void>;
	/** Neighbours behind a cut link (the mesh lab): not read, as if they did not answer. */
	readonly cut = new Set<string>();
	private markFirst: () => void = () => undefined;

	constructor(private readonly options: RouterOptions) {
		this.redis = options.session.connect(`eda:mesh:router:${options.broker}`, {commandTimeoutMs: 2000});
		for (const [name, session] of options.neighbours) this.neighbours.set(name, session.connect(`eda:mesh:router:${options.broker}<${name}`, {commandTimeoutMs: 2000}));
		this.firstRound = new Promise((resolve) => (this.markFirst = resolve));
	}

	get broker(): string {
		return this.options.broker;
	}

	async start(): Promise<void> {
		this.running = true;
		this.loop = this.run();
		await within(this.firstRound, 5000).catch(() => undefined);
	}

	async stop(): Promise<void> {
		this.running = false;
		await Promise.race([this.loop, sleep(2500)]);
		this.redis.disconnect();
		for (const client of this.neighbours.values()) client.disconnect();
	}

	/** One round; throws when this broker does not answer (nothing written then). */
	async round(): Promise<RouteTable> {
		const [local, previous, now] = await within(Promise.all([localInterest(this.redis), readRoutes(this.redis), redisNow(this.redis)]), 2000);
		const learned = new Map<string, RouteTable | undefined>();
		await Promise.all(
			[...this.neighbours].map(async ([name, client]) => {
				learned.set(name, this.cut.has(name) ? undefined : await within(readRoutes(client), 1000).catch(() => undefined));
			}),
		);
		const next = computeRoutes(this.options.broker, local, learned, previous, now, this.options.hopLimit ?? defaultHopLimit);
		if (!sameTable(previous, next)) await within(writeRoutes(this.redis, next, now), 2000);
		return next;
	}

	private async run(): Promise<void> {
		while (this.running) {
			try {
				await this.round();
				this.markFirst();
			} catch {
				// This broker is away: its table stays as it was; the next round tries again.
			}
			await sleep(routeRoundMs);
		}
	}
}

function sameTable(a: RouteTable, b: RouteTable): boolean {
	if (a.size !== b.size) return false;
	for (const [key, route] of a) {
		const other = b.get(key);
		if (!other || other.dist !== route.dist || other.via !== route.via || other.since !== route.since) return false;
	}
	return true;
}
