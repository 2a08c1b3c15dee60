// One direction of one link: reads the source broker's topic streams through
// the bridge's own consumer group, writes each event the destination should
// carry there once (forward.ts), then acknowledges it on the source. Nothing
// is acknowledged before the destination took it, so a link that is down
// leaves its events pending or unread (the backlog) and a bridge that dies
// leaves them pending for another to claim; the destination's dedupe window
// turns the repeat into nothing.
//
// Loop prevention, visible in every forwarded envelope: the extension
// attribute `meshpath` lists the brokers the event has been stored on
// (its origin first), and `meshhoplimit` the hops it may take. A bridge never
// sends an event to a broker on its path, nor past its hop limit. And
// `meshfor` names the brokers with interest the copy travels for, so each
// event follows one shortest-path tree from its origin.
import os from 'node:os';
import type {Redis} from 'ioredis';
import {describeError} from '../errors.js';
import {isCluster} from '../redis/connect.js';
import {keys} from '../redis/keys.js';
import type {RedisSession} from '../redis/session.js';
import {isPattern} from '../topics/names.js';
import {entryMs} from '../topics/topic-index.js';
import {encodeForwarded, storeForwarded, type ForwardedEvent} from './forward.js';
import {defaultHopLimit, matches, meshGroupPrefix, readRoutes, redisNow, splitRouteKey, type RouteTable} from './interest.js';
import {LinkFigures} from './figures.js';

export const pathAttribute = 'meshpath';
export const hopLimitAttribute = 'meshhoplimit';
/**
 * The brokers with interest this copy is on its way to. The first bridge
 * sets it from its routes; each next one carries the copy on only toward
 * those of them its own routes lead to through its link. So an event follows
 * one tree of shortest paths from its origin: a broker that has it never
 * sends it on to a broker another one already serves, and nothing goes
 * twice (the dedupe window stays for crashes and flaps).
 */
export const forAttribute = 'meshfor';

export type BridgeOptions = {
	from: string;
	to: string;
	/** Sessions on the two brokers. */
	source: RedisSession;
	destination: RedisSession;
	hopLimit?: number;
	/** Entries a dead bridge held this long are taken over. */
	claimIdleMs?: number;
	/** Events per read. */
	count?: number;
	/** The most entries a source stream keeps for this link; past it the oldest go, counted as dropped. */
	maxBacklog?: number;
	/** Entries a stream this bridge writes to keeps (MAXLEN ~), as the producer's --retain; default 10,000. */
	retain?: number;
	/** Lines for the user (link down, back). */
	say: (line: string) => void;
};

export const defaultMeshClaimIdleMs = 5000;
/** How often a bridge re-reads its routes and writes its holds. */
const refreshMs = 150;
export const defaultMaxBacklog = 1_000_000;
/** Events a read takes per stream: one write script on the destination for up to this many. */
const defaultCount = 1000;

/** The id just after `id`: entries before it are behind a group that delivered `id`. */
function nextId(id: string): string {
	const [ms = '0', seq = '0'] = id.split('-');
	return `${ms}-${BigInt(seq) + 1n}`;
}


/** XINFO's flat name, value replies as an object. */
function record(reply: unknown): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const list = Array.isArray(reply) ? reply : [];
	for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
	return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A stream entry as read: its id and flat fields (null: trimmed while pending). */
type RawEntry = [string, string[] | null];

function compareIds(a: string, b: string): number {
	const [am = '0', as = '0'] = a.split('-');
	const [bm = '0', bs = '0'] = b.split('-');
	const ms = BigInt(am) - BigInt(bm);
	if (ms !== 0n) return ms > 0n ? 1 : -1;
	const seq = BigInt(as) - BigInt(bs);
	return seq === 0n ? 0 : seq > 0n ? 1 : -1;
}

/** A batch read from the source, decided and encoded, waiting for its write. */
type Prepared = {topic: string; ids: string[]; batch: Buffer | undefined; newest: number};

export class Bridge {
	readonly name: string;
	readonly group: string;
	readonly consumer: string;
	readonly figures: LinkFigures;
	private readonly sourceRedis: Redis;
	/** The refresh's own connection to the source, so it never waits behind a blocking read. */
	private readonly controlRedis: Redis;
	private readonly destinationRedis: Redis;
	private running = false;
	private loop: Promise<void> | undefined;
	private routes: RouteTable = new Map();
	/** Topics read, with the oldest `since` of the routes that take them through this link. */
	private topics = new Map<string, number>();
	private readonly grouped = new Set<string>();
	private nextClaimAt = 0;
	/** The source's Redis time minus this machine's, as of the last refresh. */
	private clockOffsetMs = 0;
	/** Source Redis ms just before the routes were last read: every route with a since up to it is known. */
	private routesReadAt = 0;
	/** Cut by hand (the mesh lab's key): carries nothing, as if the network between the two were down. */
	private severed = false;

	constructor(private readonly options: BridgeOptions) {
		this.name = `${options.from}>${options.to}`;
		this.group = `${meshGroupPrefix}${options.to}`;
		this.consumer = `${os.hostname()}-${process.pid}`;
		// Bounded: a stopped broker (SIGSTOP, a cut network) answers nothing, and the bridge must notice.
		this.sourceRedis = options.source.connect(`eda:mesh:${this.name}:source`, {commandTimeoutMs: 3000});
		this.controlRedis = options.source.connect(`eda:mesh:${this.name}:control`, {commandTimeoutMs: 3000});
		this.destinationRedis = options.destination.connect(`eda:mesh:${this.name}:destination`, {commandTimeoutMs: 3000});
		this.figures = new LinkFigures(options.from, options.to);
	}

	async start(): Promise<void> {
		this.running = true;
		this.loop = Promise.all([this.run(), this.refreshLoop()]).then(() => undefined);
	}

	async stop(): Promise<void> {
		this.running = false;
		await Promise.race([this.loop, sleep(2000)]);
		this.sourceRedis.disconnect();
		this.controlRedis.disconnect();
		this.destinationRedis.disconnect();
	}

	get from(): string {
		return this.options.from;
	}

	get to(): string {
		return this.options.to;
	}

	/**
	 * Cuts the link (or heals it): while cut, the bridge reads nothing and says
	 * the link is down; events wait on the source, as behind a cut network.
	 */
	setCut(cut: boolean): void {
		this.severed = cut;
		if (cut && this.figures.destinationDown('link cut')) this.options.say(`mesh: link ${this.name}: cut; events wait on ${this.options.from}`);
		if (!cut && this.figures.destinationUp()) this.options.say(`mesh: link ${this.name}: healed; forwarding`);
	}

	/** The routes on the source, with the time just before the read. */
	private async readRoutesNow(): Promise<void> {
		const readAt = await redisNow(this.controlRedis);
		const routes = await readRoutes(this.controlRedis);
		if (readAt >= this.routesReadAt) {
			this.routes = routes;
			this.routesReadAt = readAt;
		}
		this.clockOffsetMs = readAt - Date.now();
	}

	/** The source's topics with a route through this link, and each one's group. */
	private async refresh(): Promise<void> {
		await this.readRoutesNow();
		await this.probeDestination();
		const through: {interest: string; since: number}[] = [];
		for (const [key, route] of this.routes) if (route.via === this.options.to) through.push({interest: splitRouteKey(key).interest, since: route.since});
		const topics = new Map<string, number>();
		if (through.length > 0) {
			for (const topic of await this.controlRedis.hkeys(keys.topics)) {
				for (const {interest, since} of through) if (matches(interest, topic)) topics.set(topic, Math.min(since, topics.get(topic) ?? since));
			}
			// A topic named outright gets its group now, before its first event:
			// on a transit broker the stream appears only when the first one arrives.
			for (const {interest, since} of through) if (!isPattern(interest)) topics.set(interest, Math.min(since, topics.get(interest) ?? since));
		}
		for (const [topic, since] of topics) {
			if (this.grouped.has(topic)) continue;
			// From the moment the route appeared, not from now: an event stored
			// here in transit between then and this call is still carried on.
			try {
				await this.controlRedis.xgroup('CREATE', keys.stream(topic), this.group, `${since}-0`, 'MKSTREAM');
			} catch (error) {
				if (!describeError(error).includes('BUSYGROUP')) throw error;
			}
			this.grouped.add(topic);
		}
		this.topics = topics;
		this.figures.topics = [...topics.keys()].sort();
		let backlog = 0;
		for (const topic of this.grouped) backlog += await this.hold(topic);
		this.figures.backlog = backlog;
	}

	/**
	 * For one source stream: counts what retention took before this link
	 * carried it (and moves the group past it, so it is counted once), writes
	 * the stream's hold (the oldest entry any bridge still owes, and the cap),
	 * and returns this link's backlog on it (pending plus unread).
	 */
	private async hold(topic: string): Promise<number> {
		const stream = keys.stream(topic);
		const info = record(await this.controlRedis.xinfo('STREAM', stream).catch(() => []));
		const groups = ((await this.controlRedis.xinfo('GROUPS', stream).catch(() => [])) as unknown[]).map(record);
		let floor: string | undefined;
		let backlog = 0;
		for (const group of groups) {
			const name = String(group['name']);
			if (!name.startsWith(meshGroupPrefix)) continue;
			const delivered = String(group['last-delivered-id'] ?? '0-0');
			if (name === this.group) {
				// XREADGROUP steps over entries trimmed before it read them, and
				// counts only those it delivered: once the group has read up to the
				// newest entry, what Redis still calls lag is exactly what it lost.
				const lag = group['lag'];
				if (typeof lag === 'number' && lag > 0 && delivered === String(info['last-generated-id'])) {
					this.figures.dropped += lag;
					await this.controlRedis.xgroup('SETID', stream, this.group, delivered, 'ENTRIESREAD', Number(info['entries-added']));
					backlog -= lag;
				}
				backlog += Number(group['pending'] ?? 0) + (typeof lag === 'number' ? lag : 0);
			}
			let owed = nextId(delivered);
			if (Number(group['pending'] ?? 0) > 0) {
				const summary = (await this.controlRedis.xpending(stream, name)) as [number, string | null];
				if (summary[1]) owed = summary[1];
			}
			if (floor === undefined || compareIds(owed, floor) < 0) floor = owed;
		}
		if (floor !== undefined) await this.controlRedis.hset(keys.mesh.hold(topic), 'floor', floor, 'cap', this.options.maxBacklog ?? defaultMaxBacklog);
		return backlog;
	}

	/** A link with no traffic still finds out that its destination stopped answering. */
	private async probeDestination(): Promise<void> {
		if (this.severed) return;
		try {
			await this.destinationRedis.ping();
			if (this.figures.destinationUp()) this.options.say(`mesh: link ${this.name}: broker ${this.options.to} back; forwarding`);
		} catch (error) {
			if (this.figures.destinationDown(describeError(error))) this.options.say(`mesh: link ${this.name}: broker ${this.options.to} unavailable (${describeError(error)}); events wait on ${this.options.from}`);
		}
	}

	/**
	 * Routes, groups, holds and figures, about seven times a second, beside the
	 * forwarding loop (not in it: its dozen round trips would hold up events).
	 */
	private async refreshLoop(): Promise<void> {
		let failures = 0;
		while (this.running) {
			try {
				await this.refresh();
				this.figures.sourceUp();
				failures = 0;
			} catch (error) {
				if (!this.running) return;
				failures++;
				const message = describeError(error);
				if (this.figures.sourceDown(message)) this.options.say(`mesh: link ${this.name}: broker ${this.options.from} unavailable (${message}); retrying`);
			}
			await sleep(failures === 0 ? refreshMs : Math.min(failures * 200, 2000));
		}
	}

	/**
	 * The forwarding loop. The read of the next batch overlaps the write of
	 * the one before (at most two batches in hand); the writes stay one at a
	 * time, in order.
	 */
	private async run(): Promise<void> {
		let failures = 0;
		let carrying: Promise<void> = Promise.resolve();
		let carryError: unknown;
		const settled = async () => {
			await carrying;
			if (carryError !== undefined) {
				const error = carryError;
				carryError = undefined;
				throw error;
			}
		};
		while (this.running) {
			try {
				if (this.severed) {
					// A batch in flight at the cut may have marked it up again.
					this.figures.destinationDown('link cut');
					await sleep(100);
					continue;
				}
				if (Date.now() >= this.nextClaimAt) {
					await settled();
					this.nextClaimAt = Date.now() + 1000;
					await this.claimIdle();
				}
				// Every stream this link has a group on, routed now or not: entries
				// with no route left are acknowledged unsent, so a withdrawn interest
				// does not pin the stream's retention.
				const streams = [...this.grouped];
				if (streams.length === 0) {
					// Nothing to read, so nothing was heard from the source: its state is
					// the refresh loop's to say. Marking it up here flipped a stopped
					// source's link back to up ten times a second until its first group.
					await sleep(100);
					continue;
				}
				const reply = isCluster(this.sourceRedis) ? await this.readEachStream(streams) : ((await this.sourceRedis.xreadgroup('GROUP', this.group, this.consumer, 'COUNT', this.options.count ?? defaultCount, 'BLOCK', 200, 'STREAMS', ...streams.map((t) => keys.stream(t)), ...streams.map(() => '>'))) as [string, RawEntry[]][] | null);
				this.figures.sourceUp();
				// Decided and encoded while the previous batch is still being written:
				// this process's share of the work overlaps the destination's.
				const batches: Prepared[] = [];
				for (const [stream, entries] of reply ?? []) {
					const topic = streams.find((t) => keys.stream(t) === stream);
					if (topic !== undefined) batches.push(await this.prepare(topic, entries));
				}
				await settled();
				carrying = (async () => {
					for (const batch of batches) await this.send(batch);
				})().catch((error: unknown) => {
					carryError = error;
				});
				failures = 0;
			} catch (error) {
				if (!this.running) break;
				const message = describeError(error);
				if (message.includes('NOGROUP')) {
					// The stream or our group was deleted: made again at the next refresh.
					this.grouped.clear();
					await sleep(50);
					continue;
				}
				failures++;
				if (this.figures.sourceDown(message)) this.options.say(`mesh: link ${this.name}: broker ${this.options.from} unavailable (${message}); retrying`);
				await sleep(Math.min(failures * 200, 2000));
			}
		}
		await carrying;
	}

	/**
	 * On a Redis Cluster one XREADGROUP over several streams spans slots
	 * (CROSSSLOT): each stream is read on its own, without BLOCK (a blocked
	 * read would hold its node's connection for the others); an empty round
	 * waits a moment.
	 */
	private async readEachStream(streams: string[]): Promise<[string, RawEntry[]][]> {
		const replies = await Promise.all(streams.map((t) => this.sourceRedis.xreadgroup('GROUP', this.group, this.consumer, 'COUNT', this.options.count ?? defaultCount, 'STREAMS', keys.stream(t), '>') as Promise<[string, RawEntry[]][] | null>));
		const found = replies.flatMap((reply) => reply ?? []);
		if (found.length === 0) await sleep(200);
		return found;
	}

	/** Takes over entries another bridge (a process that died) held longer than claimIdleMs. */
	private async claimIdle(): Promise<void> {
		const idle = this.options.claimIdleMs ?? defaultMeshClaimIdleMs;
		for (const topic of this.grouped) {
			let cursor = '0-0';
			do {
				const reply = (await this.sourceRedis.xautoclaim(keys.stream(topic), this.group, this.consumer, idle, cursor, 'COUNT', 200)) as [string, RawEntry[], string[]?];
				cursor = reply[0];
				const deleted = reply[2] ?? [];
				if (deleted.length > 0) {
					// Trimmed while a dead bridge held them: never carried, so counted as dropped.
					this.figures.dropped += deleted.length;
					await this.sourceRedis.xack(keys.stream(topic), this.group, ...deleted);
				}
				await this.carry(topic, reply[1]);
			} while (cursor !== '0-0' && this.running);
		}
	}

	/** The routes through this link for a topic, matched once a batch: the broker each leads to and since when (Redis ms). */
	private routesFor(topic: string): {broker: string; since: number}[] {
		const found: {broker: string; since: number}[] = [];
		for (const [key, route] of this.routes) {
			if (route.via !== this.options.to) continue;
			const {interest, broker} = splitRouteKey(key);
			if (matches(interest, topic)) found.push({broker, since: route.since});
		}
		return found;
	}

	/**
	 * What to do with one entry: the fields to store on the destination (the
	 * entry's own, the mesh attributes rewritten), with its source and id for
	 * the dedupe key, or why not. One pass over the fields.
	 */
	private decide(id: string, fields: string[] | null, routes: {broker: string; since: number}[]): {send: string[]; source: string; id: string} | {skip: 'trimmed' | 'crossed' | 'hop-limit' | 'no-route'} {
		if (!fields) return {skip: 'trimmed'};
		const {from, to} = this.options;
		const out: string[] = [];
		let given: string | undefined;
		let hopLimit: string | undefined;
		let sentFor: string | undefined;
		let source = '';
		let envelopeId: string | undefined;
		for (let i = 0; i + 1 < fields.length; i += 2) {
			const name = fields[i] as string;
			const value = fields[i + 1] as string;
			if (name === pathAttribute) given = value;
			else if (name === hopLimitAttribute) hopLimit = value;
			else if (name === forAttribute) sentFor = value;
			else {
				if (name === 'source' && source === '') source = value;
				else if (name === 'id' && envelopeId === undefined) envelopeId = value;
				out.push(name, value);
			}
		}
		const path = given ? given.split(',') : [from];
		if (path.includes(to)) return {skip: 'crossed'};
		const limit = Number(hopLimit ?? this.options.hopLimit ?? defaultHopLimit);
		if (path.length - 1 >= limit) return {skip: 'hop-limit'};
		// A copy that came from another broker goes on only toward the brokers it was sent here for.
		const wanted = sentFor === undefined ? undefined : new Set(sentFor.split(','));
		const at = Number(entryMs(id));
		const targets = new Set<string>();
		for (const route of routes) if (at >= route.since && (wanted === undefined || wanted.has(route.broker))) targets.add(route.broker);
		if (targets.size === 0) return {skip: 'no-route'};
		out.push(pathAttribute, [...path, to].join(','), hopLimitAttribute, String(limit), forAttribute, [...targets].sort().join(','));
		return {send: out, source, id: envelopeId ?? id};
	}

	/** Forwards what should go, then acknowledges every entry of the batch. */
	private async carry(topic: string, entries: RawEntry[]): Promise<void> {
		await this.send(await this.prepare(topic, entries));
	}

	/** What of a batch goes, encoded for the write; reads nothing from the destination. */
	private async prepare(topic: string, entries: RawEntry[]): Promise<Prepared> {
		const ids = entries.map(([id]) => id);
		if (entries.length === 0) return {topic, ids, batch: undefined, newest: 0};
		// Each entry is decided once, unless one with no route is newer than the
		// routes we know of: one may have been written since, so the routes are
		// read again (until they are newer) and the batch decided again.
		let routes = this.routesFor(topic);
		let decisions = entries.map(([id, fields]) => this.decide(id, fields, routes));
		const unrouted = entries.filter(([id], i) => Number(entryMs(id)) >= this.routesReadAt && (decisions[i] as {skip?: string}).skip === 'no-route');
		const newestUnrouted = Math.max(0, ...unrouted.map(([id]) => Number(entryMs(id))));
		if (unrouted.length > 0) {
			for (let tries = 0; newestUnrouted >= this.routesReadAt && tries < 50; tries++) {
				await this.readRoutesNow();
				if (newestUnrouted >= this.routesReadAt) await sleep(2);
			}
			routes = this.routesFor(topic);
			decisions = entries.map(([id, fields]) => this.decide(id, fields, routes));
		}
		const events: ForwardedEvent[] = [];
		let newest = 0;
		for (const [i, [id]] of entries.entries()) {
			const decision = decisions[i] as ReturnType<Bridge['decide']>;
			if ('skip' in decision) {
				if (decision.skip === 'hop-limit') this.figures.hopLimited++;
				if (decision.skip === 'trimmed') this.figures.dropped++;
				continue;
			}
			events.push({source: decision.source, id: decision.id, fields: decision.send});
			newest = Math.max(newest, Number(entryMs(id)));
		}
		return {topic, ids, batch: events.length > 0 ? encodeForwarded(events) : undefined, newest};
	}

	/** Writes a prepared batch (when anything of it goes), then acknowledges every entry of it. */
	private async send({topic, ids, batch, newest}: Prepared): Promise<void> {
		if (ids.length === 0) return;
		if (batch !== undefined) await this.deliver(topic, ids, batch, newest);
		// On the control connection: the source one may be in the next blocking read.
		await this.controlRedis.xack(keys.stream(topic), this.group, ...ids);
	}

	/** Writes to the destination, retrying until it answers (or the bridge stops: the entries stay pending). */
	private async deliver(topic: string, ids: string[], batch: Buffer, newestMs: number): Promise<void> {
		let failures = 0;
		let heldSince = 0;
		for (;;) {
			if (this.severed) {
				// Cut (setCut) after this batch was read: a read blocked at the cut
				// returns what was published after it. It waits for the heal on the
				// source, as behind a cut network, and stays ours meanwhile.
				if (!this.running) throw new Error(`link ${this.name} cut while stopping: the batch stays pending on ${this.options.from}`);
				this.figures.destinationDown('link cut');
				if (Date.now() - heldSince >= 1000) {
					heldSince = Date.now();
					await this.controlRedis.xclaim(keys.stream(topic), this.group, this.consumer, 0, ...ids, 'JUSTID').catch(() => undefined);
				}
				await sleep(100);
				continue;
			}
			try {
				const {stored, duplicates} = await storeForwarded(this.destinationRedis, topic, batch, this.options.retain);
				// The source's Redis time without asking it each batch (the offset is read at each refresh).
				const now = Date.now() + this.clockOffsetMs;
				this.figures.forwarded(stored, duplicates, now - newestMs, now);
				if (this.figures.destinationUp()) this.options.say(`mesh: link ${this.name}: broker ${this.options.to} back; forwarding`);
				return;
			} catch (error) {
				if (!this.running) throw error;
				failures++;
				if (this.figures.destinationDown(describeError(error))) this.options.say(`mesh: link ${this.name}: broker ${this.options.to} unavailable (${describeError(error)}); events wait on ${this.options.from}`);
				// Keep them ours while we wait, so no other bridge takes them over meanwhile.
				await this.controlRedis.xclaim(keys.stream(topic), this.group, this.consumer, 0, ...ids, 'JUSTID').catch(() => undefined);
				await sleep(Math.min(failures * 200, 2000));
			}
		}
	}
}
