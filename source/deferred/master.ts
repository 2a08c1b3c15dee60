// The master node: moves due events from the schedule to message:queue,
// returns expired leases, and takes what the Go api-server publishes on
// channel `master`. One class for the headless command and the dashboard.
import type {Redis} from 'ioredis';
import {actorName, Heartbeat} from '../actors/heartbeat.js';
import type {ActorOutput} from '../actors/output.js';
import {outageReporter} from '../actors/outage.js';
import {describeError} from '../errors.js';
import {defaultQueue, deferredKeys, goCompat, queuesIndex, type DeferredKeys} from '../redis/keys.js';
import type {RedisSession} from '../redis/session.js';
import {DeferredStore} from './store.js';
import {delay, endLoop, Waker} from './waker.js';

export type MasterOptions = {
	/** Most events moved per script call; bounded so one backlog never blocks Redis. */
	batch?: number;
	/** Longest sleep between passes (sweeps run at least this often). */
	maxSleepMs?: number;
	/** How long the `master` channel lock lives without renewal. */
	leaderTtlMs?: number;
	name?: string;
	/** The deferred queue this master serves (--queue); message:queue when not given. */
	queue?: string;
};

export type MasterState = {
	name: string;
	paused: boolean;
	/** Redis ms of the next due event, if any. */
	nextDue: number | undefined;
	/** True while this master re-publishes the Go tool's `master` channel. */
	channelLeader: boolean;
	promoted: number;
	requeued: number;
	received: number;
	redisDown: boolean;
};

export class DeferredMaster {
	readonly name: string;
	private readonly batch: number;
	private readonly maxSleepMs: number;
	private readonly leaderTtlMs: number;
	/** The served queue's keys. */
	private readonly k: DeferredKeys;
	private redis: Redis | undefined;
	private sub: Redis | undefined;
	private store: DeferredStore | undefined;
	private heartbeat: Heartbeat | undefined;
	private readonly waker = new Waker();
	private running: Promise<void> | undefined;
	private leaderTimer: NodeJS.Timeout | undefined;
	private stopping = false;
	private paused = false;
	/** Local ms until which the channel lock is surely ours. */
	private leaderUntil = 0;
	private nextDue: number | undefined;
	private promoted = 0;
	private requeued = 0;
	private received = 0;
	private redisDown = false;

	constructor(
		private readonly session: RedisSession,
		private readonly output: ActorOutput,
		options: MasterOptions = {},
	) {
		this.batch = options.batch ?? 1000;
		this.maxSleepMs = options.maxSleepMs ?? 250;
		this.leaderTtlMs = options.leaderTtlMs ?? 3000;
		this.name = options.name ?? actorName('master');
		this.k = deferredKeys(options.queue ?? defaultQueue);
	}

	private starting: Promise<void> | undefined;

	/** Connects, subscribes and starts the loop; stop() may be called at any time after. */
	start(): Promise<void> {
		this.starting ??= this.open();
		return this.starting;
	}

	private async open(): Promise<void> {
		this.redis = this.session.connect(`eda:${this.name}`, {onState: outageReporter(this.output, this.name, () => this.stopping, (down) => (this.redisDown = down))});
		this.sub = this.session.connect(`eda:${this.name}:sub`);
		this.store = new DeferredStore(this.redis, this.k);
		this.heartbeat = new Heartbeat(this.redis, this.name, 'master', this.k.queue === defaultQueue ? 'deferred master' : `deferred master of queue ${this.k.queue}`);
		this.heartbeat.start();
		this.emit(['Master Node running'], {event: 'started'});
		// A named queue enters the index of queues (the dashboard lists them from it).
		if (this.k.queue !== defaultQueue) await this.redis.sadd(queuesIndex, this.k.queue).catch(() => undefined);
		// After each wait, a stop that came meanwhile (Redis went down mid-start,
		// then SIGTERM: run-actors.ts) ends the start: nothing is set going after it.
		if (this.stopping) return;

		this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.onMessage(channel.toString(), message));
		// Only the default queue's masters take the Go tool's `master` channel.
		await this.sub.subscribe(this.k.scheduledChannel, ...(this.k.queue === defaultQueue ? [goCompat.masterChannel] : []));
		if (this.stopping) return;
		await this.keepLeadership();
		if (this.stopping) return;
		this.leaderTimer = setInterval(() => void this.keepLeadership(), this.leaderTtlMs / 3);
		if (!this.stopping) this.running = this.loop();
	}

	pause(): void {
		this.paused = true;
	}

	resume(): void {
		this.paused = false;
		this.waker.wake();
	}

	state(): MasterState {
		return {
			name: this.name,
			paused: this.paused,
			nextDue: this.nextDue,
			channelLeader: this.isLeader(),
			promoted: this.promoted,
			requeued: this.requeued,
			received: this.received,
			redisDown: this.redisDown,
		};
	}

	async stop(): Promise<void> {
		if (this.stopping) return;
		this.stopping = true;
		await endLoop(this.starting, this.waker, this.running);
		// After the start has settled, so a timer it set only now is cleared too.
		if (this.leaderTimer) clearInterval(this.leaderTimer);
		if (this.isLeader() && this.store && this.redis?.status === 'ready') {
			await this.store.resign(this.k.channelLeader, this.name).catch(() => undefined);
		}
		await this.heartbeat?.stop();
		this.sub?.disconnect();
		this.redis?.disconnect();
	}

	private isLeader(): boolean {
		return Date.now() < this.leaderUntil;
	}

	private async keepLeadership(): Promise<void> {
		if (!this.store || this.stopping) return;
		const asked = Date.now();
		try {
			const held = await this.store.lead(this.k.channelLeader, this.name, this.leaderTtlMs);
			// Count from when we asked, less a margin, so two masters never both believe they hold it.
			this.leaderUntil = held ? asked + this.leaderTtlMs - 500 : 0;
		} catch {
			this.leaderUntil = 0;
		}
	}

	private onMessage(channel: string, message: Buffer): void {
		if (channel === this.k.scheduledChannel) {
			// Wake early only when the new event is due before the planned wake-up.
			const due = Number(message.toString());
			const dueLocal = Date.now() + (due - (this.lastRedisNow + (Date.now() - this.lastLocalNow)));
			if (!Number.isFinite(due) || dueLocal < this.waker.wakeAt) this.waker.wake();
			return;
		}
		if (channel !== goCompat.masterChannel || !this.isLeader() || !this.store) return;
		this.received++;
		this.emit(['Recieved Message'], {event: 'received', bytes: message.length});
		this.store.enqueue(message, 0, 'master-channel').catch((error: unknown) => {
			this.emit([`Could not store a message from channel master: ${describeError(error)}`], {event: 'error', error: describeError(error)});
		});
	}

	private reconcileCursor = '0';
	private lastReconcile = 0;

	/** Every few seconds, one bounded step (see reconcileLua); cheap, and idempotent across masters. */
	private async reconcile(store: DeferredStore): Promise<void> {
		if (Date.now() - this.lastReconcile < 5000) return;
		this.lastReconcile = Date.now();
		const {cursor, taken} = await store.reconcile(this.reconcileCursor);
		this.reconcileCursor = cursor;
		if (taken > 0) this.emit([`${taken} event(s) were taken from message:queue by a worker that keeps no record (the Go tool?); marked taken`], {event: 'taken', count: taken});
	}

	private lastRedisNow = 0;
	private lastLocalNow = 0;

	private async loop(): Promise<void> {
		while (!this.stopping) {
			if (this.paused) {
				await this.waker.sleep(1000);
				continue;
			}
			let sleepMs = this.maxSleepMs;
			try {
				const store = this.store as DeferredStore;
				let result = await store.promote(this.batch);
				this.promoted += result.moved;
				// A full batch means more are due: keep going, but let other work in between.
				while (result.moved === this.batch && !this.stopping && !this.paused) {
					await new Promise((resolve) => setImmediate(resolve));
					result = await store.promote(this.batch);
					this.promoted += result.moved;
				}
				this.lastRedisNow = result.now;
				this.lastLocalNow = Date.now();
				this.nextDue = result.nextDue;
				const swept = await store.sweep(this.batch);
				await this.reconcile(store);
				if (swept.requeued + swept.dead > 0) {
					this.requeued += swept.requeued;
					this.emit([`Returned ${swept.requeued} event(s) with an expired lease to the queue${swept.dead > 0 ? `, ${swept.dead} to the dead-letter list` : ''}`], {
						event: 'swept',
						requeued: swept.requeued,
						dead: swept.dead,
					});
				}
				if (result.nextDue !== undefined) sleepMs = Math.min(sleepMs, result.nextDue - result.now);
				if (swept.nextExpiry !== undefined) sleepMs = Math.min(sleepMs, swept.nextExpiry - result.now + 1);
				if (this.heartbeat) this.heartbeat.handled = this.promoted;
			} catch (error) {
				// Redis away or a script error: say nothing here (the state line says it), retry soon.
				if (this.stopping) break;
				this.lastError = describeError(error);
				await delay(500);
				continue;
			}
			if (sleepMs > 0) await this.waker.sleep(sleepMs);
		}
	}

	lastError: string | undefined;

	private emit(lines: string[], record: Record<string, unknown>): void {
		this.output.emit(this.name, lines, record);
	}
}
