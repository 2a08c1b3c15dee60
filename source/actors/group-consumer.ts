import os from 'node:os';
import type {Redis} from 'ioredis';
import {describeError} from '../errors.js';
import {keys} from '../redis/keys.js';
import type {RedisSession} from '../redis/session.js';
import {attributesOf, type Envelope} from '../topics/envelope.js';
import {timeReplyMs} from '../redis/clock.js';
import {LuaScript} from '../redis/script.js';
import {indexTopic} from '../topics/topic-index.js';
import {actorName, Heartbeat} from './heartbeat.js';
import {receivedLines, type ActorOutput} from './output.js';
import {outageReporter} from './outage.js';
import {entriesOf, firstStreamEntries, sleep, type StreamEntry} from './stream-reader.js';

export type GroupHandler = (envelope: Envelope, entryId: string) => Promise<void> | void;

export type GroupConsumerOptions = {
	session: RedisSession;
	topic: string;
	group: string;
	output: ActorOutput;
	/** This member's name in the group; the same name after a restart picks up its own pending entries. */
	consumer?: string;
	/** A new group starts at the oldest retained entry instead of new ones only. */
	fromStart?: boolean;
	/** Entries a member held this long without acknowledging are taken over. */
	claimIdleMs?: number;
	/** What handling means; by default the article's two lines. */
	handler?: GroupHandler;
	/** Heartbeat kind and detail shown to other processes. */
	kind?: 'group-consumer' | 'lab';
	/** Read batch size. */
	count?: number;
	/** Print nothing at start (labs print their own). */
	quiet?: boolean;
};

export const defaultClaimIdleMs = 30_000;

// Creates the group, and the stream when missing (MKSTREAM). The topic index
// spans topics, so it is written after this, from the client (topic-index.ts):
// the first publish finds this stream there and creates nothing.
// KEYS[1] -> eda:{<topic>}:stream
// ARGV[1] -> group
// ARGV[2] -> start id: '0' (oldest retained) or '$' (new entries only)
// Returns 1 when the group is new, 0 when it existed; other errors as they are.
const createGroup = new LuaScript(`
local made = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], ARGV[2], 'MKSTREAM')
if type(made) == 'table' and made.err then
  if not string.find(made.err, 'BUSYGROUP', 1, true) then return made end
  return 0
end
return 1
`);

/**
 * A competing consumer on a topic's durable stream. Each entry is acknowledged
 * only after its handler returned, so a member that dies leaves its entries
 * pending; any member takes those over once they have been idle for
 * `claimIdleMs` (XAUTOCLAIM). Entries trimmed away while pending are
 * acknowledged, not claimed again on every pass.
 */
export class GroupConsumer {
	readonly name: string;
	readonly consumer: string;
	private readonly heartbeat: Heartbeat;
	private readonly redis: Redis;
	private running = false;
	private stopped = false;
	private paused = false;
	private loop: Promise<void> | undefined;
	private nextClaimAt = 0;
	private warned = false;
	/** Entries read and not yet acknowledged: kept fresh so no other member claims them. */
	private readonly held = new Set<string>();
	private refreshTimer: NodeJS.Timeout | undefined;

	constructor(private readonly options: GroupConsumerOptions) {
		this.name = actorName(options.kind ?? 'group-consumer');
		this.consumer = options.consumer ?? `${os.hostname()}-${process.pid}`;
		this.redis = options.session.connect(this.name, {onState: outageReporter(options.output, this.name, () => this.stopped)});
		this.heartbeat = new Heartbeat(options.session.connect(`${this.name}:beat`), this.name, options.kind ?? 'group-consumer', `topic ${options.topic} group ${options.group} as ${this.consumer}`);
	}

	get handled(): number {
		return this.heartbeat.handled;
	}

	get isPaused(): boolean {
		return this.paused;
	}

	private get stream(): string {
		return keys.stream(this.options.topic);
	}

	async start(): Promise<void> {
		const created = await this.ensureGroup();
		this.running = true;
		this.heartbeat.start();
		if (!this.options.quiet) {
			const {topic, group} = this.options;
			this.options.output.emit(this.name, [`Consumer subscribed to \`${topic}\` Topic`, `Reading the durable stream in group ${group} as ${this.consumer}`], {event: 'subscribed', topic, group, consumer: this.consumer});
			if (this.options.fromStart && !created) {
				// A group keeps its own position; replaying would hand its members old events again.
				this.options.output.emit(this.name, [`Group ${group} exists already: it goes on from its own position (--from-start applies to a new group)`], {event: 'from-start-ignored', group});
			}
		}
		// The stream form of renewing a lease: XCLAIM with min-idle 0 resets the
		// idle time of what we still hold, so a slow handler's entries are not
		// taken over by another member while it works on them.
		const idle = this.options.claimIdleMs ?? defaultClaimIdleMs;
		this.refreshTimer = setInterval(() => void this.refreshHeld(), Math.max(50, Math.floor(idle / 3)));
		this.refreshTimer.unref();
		this.loop = this.run();
	}

	private async refreshHeld(): Promise<void> {
		if (this.held.size === 0 || this.redis.status !== 'ready') return;
		try {
			await this.redis.xclaim(this.stream, this.options.group, this.consumer, 0, ...this.held, 'JUSTID');
		} catch {
			// Redis away: the entries stay pending and are claimed after the outage.
		}
	}

	pause(): void {
		this.paused = true;
	}

	resume(): void {
		this.paused = false;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.running = false;
		if (this.refreshTimer) clearInterval(this.refreshTimer);
		// The loop ends within one blocking read (500 ms) when Redis answers;
		// when Redis is down its command waits for a reconnect, so bound it.
		await Promise.race([this.loop, sleep(1500)]);
		await this.heartbeat.stop();
		this.redis.disconnect();
	}

	/** Creates the group (and indexes the topic); false when the group existed already. */
	private async ensureGroup(): Promise<boolean> {
		const {topic, group, fromStart} = this.options;
		const created = (await createGroup.run(this.redis, [this.stream], [group, fromStart ? '0' : '$'])) === 1;
		// A group made again (after a FLUSHALL, say) indexes the topic again: the flush took the index too.
		await indexTopic(this.redis, topic, timeReplyMs(await this.redis.time()), created);
		return created;
	}

	private async run(): Promise<void> {
		let ownPendingFrom: string | undefined = '0';
		let failures = 0;
		while (this.running) {
			if (this.paused) {
				await sleep(100);
				continue;
			}
			try {
				// After a restart under the same name, our own unacknowledged entries come first.
				if (ownPendingFrom !== undefined) {
					const reply = await this.redis.xreadgroup('GROUP', this.options.group, this.consumer, 'COUNT', this.options.count ?? 100, 'STREAMS', this.stream, ownPendingFrom);
					const entries = firstStreamEntries(reply);
					await this.handleAll(entries);
					ownPendingFrom = entries.length === 0 ? undefined : entries.at(-1)?.id;
					continue;
				}
				if (Date.now() >= this.nextClaimAt) await this.claimIdle();
				const reply = await this.redis.xreadgroup('GROUP', this.options.group, this.consumer, 'COUNT', this.options.count ?? 100, 'BLOCK', 500, 'STREAMS', this.stream, '>');
				await this.handleAll(firstStreamEntries(reply));
				failures = 0;
				this.warned = false;
			} catch (error) {
				failures++;
				const message = describeError(error);
				if (message.includes('NOGROUP')) {
					// The stream or group was deleted under us: make it again and carry on.
					await this.ensureGroup().catch(() => undefined);
					continue;
				}
				if (!this.warned) {
					this.warned = true;
					this.options.output.emit(this.name, [`Redis unavailable (${message}); retrying`], {event: 'redis-error', error: message});
				}
				await sleep(Math.min(failures * 200, 2000));
			}
		}
	}

	/** Takes over entries that other (dead) members held too long; acknowledges trimmed ones. */
	private async claimIdle(): Promise<void> {
		const idle = this.options.claimIdleMs ?? defaultClaimIdleMs;
		this.nextClaimAt = Date.now() + Math.max(100, Math.min(idle / 2, 5000));
		let cursor = '0-0';
		do {
			const reply = (await this.redis.xautoclaim(this.stream, this.options.group, this.consumer, idle, cursor, 'COUNT', 100)) as [string, unknown, string[]?];
			cursor = reply[0];
			const deleted = reply[2] ?? [];
			if (deleted.length > 0) await this.redis.xack(this.stream, this.options.group, ...deleted);
			await this.handleAll(entriesOf(reply[1]));
		} while (cursor !== '0-0' && this.running);
	}

	private async handleAll(entries: StreamEntry[]): Promise<void> {
		for (const entry of entries) this.held.add(entry.id);
		try {
			await this.handleEach(entries);
		} finally {
			this.held.clear();
		}
	}

	private async handleEach(entries: StreamEntry[]): Promise<void> {
		for (const entry of entries) {
			if (!this.running) return;
			if (entry.envelope) {
				try {
					await this.handle(entry.envelope, entry.id);
				} catch (error) {
					// Not acknowledged: it stays pending and is claimed again after claimIdleMs.
					const message = describeError(error);
					this.options.output.emit(this.name, [`Handler failed on entry ${entry.id}: ${message}; left pending for a retry`], {event: 'handler-error', entry: entry.id, error: message});
					// No longer kept fresh: after claimIdleMs any member may retry it.
					this.held.delete(entry.id);
					continue;
				}
			}
			await this.redis.xack(this.stream, this.options.group, entry.id);
			this.held.delete(entry.id);
		}
	}

	private async handle(envelope: Envelope, entryId: string): Promise<void> {
		if (this.options.handler) await this.options.handler(envelope, entryId);
		else {
			const topic = this.options.topic;
			this.options.output.emit(this.name, receivedLines(topic, envelope), {event: 'received', topic, group: this.options.group, consumer: this.consumer, entry: entryId, id: envelope.id, attributes: attributesOf(envelope), data: envelope.data});
		}
		this.heartbeat.handled++;
	}
}
