// The portal actor: follows every topic and keeps the inferred catalog
// (catalog.ts) in Redis. Streams are read with XREAD, never a consumer group,
// so the portal is not counted as a consumer; topics with no stream (pub/sub
// only, such as the Go tool's) come from a pattern subscription. Several
// processes may run it: the one holding the lease (lease.ts) reads and writes,
// the others only try for the lease, and the next to get it resumes from what
// the catalog says was read (each topic's stream position), refilling each
// inference window from the stream before reading on. It is off the publish
// path: it reads what the producer already stored.
import type {Redis} from 'ioredis';
import {actorName, Heartbeat} from '../actors/heartbeat.js';
import type {ActorOutput} from '../actors/output.js';
import {entriesOf, sleep} from '../actors/stream-reader.js';
import {describeError} from '../errors.js';
import {RedisClock} from '../redis/clock.js';
import {isCluster} from '../redis/connect.js';
import {goCompat, keys} from '../redis/keys.js';
import type {RedisSession} from '../redis/session.js';
import {envelopeFromFields} from '../topics/envelope.js';
import {entryMs} from '../topics/topic-index.js';
import {claimTopic, writeTopic} from './catalog.js';
import {lead, resign} from './lease.js';
import {defaultWindowSize, TopicTracker} from './tracker.js';

export type WatcherOptions = {
	session: RedisSession;
	/** Where leadership changes and outages are told; none inside the dashboard and api-server, whose own actors report outages. */
	output?: ActorOutput;
	/** How long the lease lives without renewal; renewed every third of it. Default 5 s. */
	leaseMs?: number;
	/** How often the topic index is read for new topics. Default 2 s. */
	discoverMs?: number;
	/** How often changed entries are written. Default 1 s. */
	flushMs?: number;
	windowSize?: number;
	/**
	 * The pattern subscription that finds pub/sub-only topics is on for
	 * `patternOnMs` out of every `patternEveryMs` (defaults 2 s of 10 s; 0 for
	 * always): every event eda stores is PUBLISHed too, and hearing each one
	 * twice over would cost the process hosting the producer its ingest. Known
	 * pub/sub-only topics are followed all along by a pattern of their own
	 * (followedPattern), never a SUBSCRIBE: a SUBSCRIBE would count the portal
	 * as a subscriber (PUBSUB NUMSUB) and as interest (PUBSUB CHANNELS, the mesh).
	 */
	patternOnMs?: number;
	patternEveryMs?: number;
};

/** Channels that are not topics: eda's own, Redis's, and the Go tool's deferred channel. */
export function isTopicChannel(channel: string): boolean {
	return !channel.startsWith('eda:') && !channel.startsWith('__') && channel !== goCompat.masterChannel;
}

/**
 * A pattern that matches one channel name and nothing else (Redis glob
 * escapes: a backslash makes the next character literal). Patterns, unlike
 * SUBSCRIBE, are not counted by PUBSUB NUMSUB or listed by PUBSUB CHANNELS.
 */
export function followedPattern(channel: string): string {
	return channel.replace(/[\\*?[\]]/g, '\\$&');
}

/**
 * Pub/sub-only topics followed all along by their own pattern. Redis matches
 * every PUBLISH against every pattern, so they are capped; a topic past the
 * cap is still catalogued, from what the catch-all pattern hears in its windows.
 */
export const maxFollowed = 100;

/** Pub/sub messages held per unclassified channel, and channels held, until the index says whether they have a stream. */
const heldPerChannel = 1000;
const heldChannels = 1000;
/** Entries read per XREAD and per topic. */
const readCount = 1000;
/**
 * After a read that was not full, the watcher waits this long before the next:
 * a blocking XREAD returns as soon as one entry is there, so under steady
 * single-event traffic it read one or two at a time, thousands of calls a
 * second in the producer's own process. Waiting lets a batch gather; a full
 * read goes on at once, so the watcher still keeps up.
 */
const readPauseMs = 100;

/**
 * On a Redis Cluster one XREAD over several streams spans slots (CROSSSLOT):
 * each stream is read on its own, without BLOCK (a blocked read would hold its
 * node's connection for the others), and an empty round waits a moment.
 */
async function readEachStream(reader: Redis, topics: TopicTracker[]): Promise<[string, unknown][]> {
	const replies = await Promise.all(topics.map((t) => reader.xread('COUNT', readCount, 'STREAMS', keys.stream(t.topic), t.pos)));
	const found = replies.flatMap((reply) => (reply ?? []) as [string, unknown][]);
	if (found.length === 0) await sleep(250);
	return found;
}

/** Refills a resumed topic's windows with the stream's entries up to where it was read. */
export async function primeFromStream(redis: Redis, tracker: TopicTracker, windowSize: number): Promise<void> {
	if (tracker.pos === '0-0') return;
	const raw = await redis.xrevrange(keys.stream(tracker.topic), tracker.pos, '-', 'COUNT', windowSize);
	for (const entry of entriesOf(raw).reverse()) if (entry.envelope) tracker.prime(entry.envelope.data, entry.envelope.type);
}

export class PortalWatcher {
	readonly name = actorName('portal');
	private readonly redis: Redis;
	private readonly reader: Redis;
	private subscriber: Redis | undefined;
	private readonly heartbeat: Heartbeat;
	private readonly leaseMs: number;
	private readonly discoverMs: number;
	private readonly flushMs: number;
	private readonly windowSize: number;
	private readonly clock = new RedisClock();
	private timers: NodeJS.Timeout[] = [];
	private leaseTimer: NodeJS.Timeout | undefined;
	private epoch = 0;
	private stopped = false;
	private readLoop: Promise<void> | undefined;
	/** Topics read from their stream, and those known only from pub/sub. */
	private readonly streams = new Map<string, TopicTracker>();
	private readonly pubsub = new Map<string, TopicTracker>();
	/** The pub/sub-only topics followed by a pattern of their own (at most maxFollowed). */
	private readonly followed = new Set<string>();
	private indexed = new Set<string>();
	private readonly held = new Map<string, {data: string; at: number}[]>();
	private busy: Promise<unknown> = Promise.resolve();
	private becoming: Promise<void> | undefined;

	constructor(private readonly options: WatcherOptions) {
		this.leaseMs = options.leaseMs ?? 5000;
		this.discoverMs = options.discoverMs ?? 2000;
		this.flushMs = options.flushMs ?? 1000;
		this.windowSize = options.windowSize ?? defaultWindowSize;
		this.redis = options.session.connect(this.name);
		this.reader = options.session.connect(`${this.name}:read`);
		this.heartbeat = new Heartbeat(options.session.connect(`${this.name}:beat`), this.name, 'portal', 'portal watcher, following');
	}

	get leading(): boolean {
		return this.epoch > 0;
	}

	/** Never waits for Redis: a start while Redis is away must not hold up the process (its commands wait for the reconnect). */
	async start(): Promise<void> {
		this.heartbeat.start();
		void this.tryLead();
		this.leaseTimer = setInterval(() => void this.tryLead(), this.leaseMs / 3);
		this.leaseTimer.unref();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		if (this.leaseTimer) clearInterval(this.leaseTimer);
		// The last write and giving the lease back, bounded: when Redis is away
		// they would wait for it, and the lease runs out by itself anyway.
		const handOver = async () => {
			await this.becoming;
			if (!this.leading) return;
			await this.serial(() => this.flush()).catch(() => undefined);
			await resign(this.redis, keys.portal.leader, this.name).catch(() => undefined);
		};
		await Promise.race([handOver(), sleep(1500)]);
		this.stepDown();
		// Ends the blocking read at once instead of within its second.
		this.reader.disconnect();
		await Promise.race([this.readLoop, sleep(1500)]);
		await this.heartbeat.stop();
		this.redis.disconnect();
	}

	/** Work that claims or writes topics runs one at a time, so a write never races a claim. */
	private serial<T>(work: () => Promise<T>): Promise<T> {
		const next = this.busy.then(work, work);
		this.busy = next.catch(() => undefined);
		return next;
	}

	private async tryLead(): Promise<void> {
		if (this.stopped) return;
		try {
			const {epoch, holder} = await lead(this.redis, keys.portal.leader, this.name, this.leaseMs);
			// Not awaited: claiming and refilling every topic must not hold up the process starting it.
			if (epoch > 0 && !this.leading) this.becoming = this.becomeLeader(epoch).catch(() => undefined);
			else if (epoch === 0 && this.leading) {
				this.options.output?.emit(this.name, [`Portal watcher lost the catalog lease to ${holder}; following`], {event: 'portal-follower', leader: holder});
				this.stepDown();
			}
		} catch {
			// Redis away: the lease runs out by itself; the next try after the reconnect decides.
		}
	}

	private async becomeLeader(epoch: number): Promise<void> {
		this.epoch = epoch;
		this.heartbeat.setDetail('portal watcher, writing the catalog');
		this.options.output?.emit(this.name, ['Portal watcher writes the catalog'], {event: 'portal-leader', epoch});
		await this.clock.sync(this.redis).catch(() => undefined);
		if (this.epoch !== epoch || this.stopped) return;
		const subscriber = this.options.session.connect(`${this.name}:sub`);
		this.subscriber = subscriber;
		// A channel followed by a pattern of its own arrives by that pattern; the catch-all's copy of it is dropped.
		subscriber.on('pmessage', (pattern: string, channel: string, message: string) => {
			if (pattern !== '*' || !this.followed.has(channel)) this.onMessage(channel, message);
		});
		await subscriber.psubscribe('*').catch(() => undefined);
		await this.serial(() => this.discover()).catch(() => undefined);
		if (this.epoch !== epoch || this.stopped) return;
		this.timers = [
			setInterval(() => void this.serial(() => this.discover()).catch(() => undefined), this.discoverMs),
			setInterval(() => void this.serial(() => this.flush()).catch(() => undefined), this.flushMs),
		];
		const every = this.options.patternEveryMs ?? 10_000;
		const on = this.options.patternOnMs ?? 2000;
		if (every > 0 && on < every) {
			// Off until the next window opens; on again for `on` ms out of every `every`.
			await subscriber.punsubscribe('*').catch(() => undefined);
			this.timers.push(
				setInterval(() => {
					subscriber.psubscribe('*').catch(() => undefined);
					const off = setTimeout(() => subscriber.punsubscribe('*').catch(() => undefined), on);
					off.unref();
				}, every),
			);
		}
		for (const timer of this.timers) timer.unref();
		this.readLoop = this.read(epoch);
	}

	private stepDown(): void {
		this.epoch = 0;
		for (const timer of this.timers) clearInterval(timer);
		this.timers = [];
		this.subscriber?.disconnect();
		this.subscriber = undefined;
		this.streams.clear();
		this.pubsub.clear();
		this.followed.clear();
		this.held.clear();
		this.indexed = new Set();
		if (!this.stopped) this.heartbeat.setDetail('portal watcher, following');
	}

	private onMessage(channel: string, message: string): void {
		if (!isTopicChannel(channel) || this.streams.has(channel) || this.indexed.has(channel)) return;
		const at = this.clock.now();
		const tracker = this.pubsub.get(channel);
		if (tracker) {
			tracker.add(message, undefined, undefined, at);
			this.heartbeat.handled++;
			return;
		}
		// Not known yet: the index may list it in a moment (eda indexes a topic just after its first publish).
		let held = this.held.get(channel);
		if (!held) {
			if (this.held.size >= heldChannels) return;
			this.held.set(channel, (held = []));
		}
		if (held.length < heldPerChannel) held.push({data: message, at});
	}

	/** Reads the topic index: new topics are claimed and resumed; held pub/sub channels are classified. */
	private async discover(): Promise<void> {
		if (!this.leading) return;
		const startedAt = this.clock.now();
		const names = await this.redis.hkeys(keys.topics);
		this.indexed = new Set(names);
		for (const topic of names) {
			if (this.stopped || !this.leading) return;
			if (this.streams.has(topic)) continue;
			const record = await claimTopic(this.redis, topic, this.epoch);
			if (!record) return this.lost();
			const tracker = new TopicTracker(topic, 'stream', this.windowSize, record);
			await primeFromStream(this.redis, tracker, this.windowSize);
			this.pubsub.delete(topic);
			// A pub/sub-only topic that now has a stream is read from it: its own pattern would hear every stored event again.
			if (this.followed.delete(topic)) await this.subscriber?.punsubscribe(followedPattern(topic)).catch(() => undefined);
			this.streams.set(topic, tracker);
		}
		for (const [channel, messages] of this.held) {
			if (this.indexed.has(channel)) {
				this.held.delete(channel);
				continue;
			}
			// Held for less than a second: eda may not have indexed it yet.
			if ((messages[0]?.at ?? 0) > startedAt - 1000) continue;
			this.held.delete(channel);
			const record = await claimTopic(this.redis, channel, this.epoch);
			if (!record) return this.lost();
			const tracker = new TopicTracker(channel, 'pubsub', this.windowSize, record);
			for (const {data, at} of messages) tracker.add(data, undefined, undefined, at);
			this.heartbeat.handled += messages.length;
			this.pubsub.set(channel, tracker);
			if (this.followed.size < maxFollowed && this.subscriber) {
				this.followed.add(channel);
				await this.subscriber.psubscribe(followedPattern(channel)).catch(() => this.followed.delete(channel));
			}
		}
	}

	private lost(): void {
		this.options.output?.emit(this.name, ['Portal watcher found a newer catalog writer; following'], {event: 'portal-follower'});
		this.stepDown();
	}

	/** Writes every topic that changed. */
	async flush(): Promise<void> {
		if (!this.leading) return;
		for (const tracker of [...this.streams.values(), ...this.pubsub.values()]) {
			if (!tracker.dirty) continue;
			const ok = await writeTopic(this.redis, this.epoch, tracker.topic, tracker.pos, tracker.transport, tracker.takeWrites());
			if (!ok) return this.lost();
		}
	}

	private async read(epoch: number): Promise<void> {
		let warned = false;
		while (this.epoch === epoch && !this.stopped) {
			const topics = [...this.streams.values()];
			if (topics.length === 0) {
				await sleep(Math.min(this.discoverMs, 250));
				continue;
			}
			try {
				const reply = isCluster(this.reader) ? await readEachStream(this.reader, topics) : await this.reader.xread('COUNT', readCount, 'BLOCK', 1000, 'STREAMS', ...topics.map((t) => keys.stream(t.topic)), ...topics.map((t) => t.pos));
				if (this.epoch !== epoch) return;
				let full = false;
				for (const [key, raw] of (reply ?? []) as [string, unknown][]) {
					const tracker = topics.find((t) => keys.stream(t.topic) === key);
					if (!tracker || this.streams.get(tracker.topic) !== tracker) continue;
					if ((raw as unknown[]).length >= readCount) full = true;
					for (const [id, fields] of raw as [string, string[]][]) {
						const envelope = envelopeFromFields(fields);
						tracker.add(envelope.data, envelope.type, envelope.source, Number(entryMs(id)), id);
						this.heartbeat.handled++;
					}
				}
				warned = false;
				if (reply && !full && !this.stopped) await sleep(readPauseMs);
			} catch (error) {
				if (!warned && !this.stopped) this.options.output?.emit(this.name, [`Portal watcher: Redis unavailable (${describeError(error)}); retrying`], {event: 'redis-error', error: describeError(error)});
				warned = true;
				if (!this.stopped) await sleep(500);
			}
		}
	}
}

export type ScanProgress = {topics: number; topicsDone: number; events: number; estimate: number};

export type ScanResult = {busy: string} | {topics: number; events: number};

/**
 * `eda portal scan`: builds or refreshes the catalog from what the streams
 * retain, reading each topic on from where the catalog says it was read. Takes
 * the lease for its length; when a watcher holds it, the catalog is being kept
 * already and nothing is read.
 */
export async function scanCatalog(redis: Redis, options: {holder: string; leaseMs?: number; windowSize?: number; onProgress?: (progress: ScanProgress) => void}): Promise<ScanResult> {
	const leaseMs = options.leaseMs ?? 10_000;
	const windowSize = options.windowSize ?? defaultWindowSize;
	const {epoch, holder} = await lead(redis, keys.portal.leader, options.holder, leaseMs);
	if (epoch === 0) return {busy: holder};
	try {
		const topics = (await redis.hkeys(keys.topics)).sort();
		const lengths = await Promise.all(topics.map((topic) => redis.xlen(keys.stream(topic)).catch(() => 0)));
		const progress: ScanProgress = {topics: topics.length, topicsDone: 0, events: 0, estimate: lengths.reduce((a, b) => a + b, 0)};
		options.onProgress?.(progress);
		for (const topic of topics) {
			const record = await claimTopic(redis, topic, epoch);
			if (!record) throw new Error('another portal watcher took the catalog lease during the scan');
			const tracker = new TopicTracker(topic, 'stream', windowSize, record);
			await primeFromStream(redis, tracker, windowSize);
			for (;;) {
				const raw = await redis.xrange(keys.stream(topic), tracker.pos === '0-0' ? '-' : `(${tracker.pos}`, '+', 'COUNT', readCount);
				const entries = entriesOf(raw);
				for (const entry of entries) if (entry.envelope) tracker.add(entry.envelope.data, entry.envelope.type, entry.envelope.source, Number(entryMs(entry.id)), entry.id);
				progress.events += entries.length;
				options.onProgress?.(progress);
				if (tracker.dirty && !(await writeTopic(redis, epoch, topic, tracker.pos, 'stream', tracker.takeWrites()))) {
					throw new Error('another portal watcher took the catalog lease during the scan');
				}
				// Keep the lease while reading; losing it means another writer took over.
				if ((await lead(redis, keys.portal.leader, options.holder, leaseMs)).epoch !== epoch) throw new Error('the catalog lease ran out during the scan');
				if (entries.length < readCount) break;
			}
			progress.topicsDone++;
			options.onProgress?.(progress);
		}
		return {topics: topics.length, events: progress.events};
	} finally {
		await resign(redis, keys.portal.leader, options.holder).catch(() => undefined);
	}
}
