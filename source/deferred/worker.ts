// A deferred worker: takes events from message:queue with a lease, runs the
// handler, and completes, retries or dead-letters each. One class for the
// headless `eda consumer -d` and the dashboard: it prints nothing itself.
import type {Redis} from 'ioredis';
import {actorName, Heartbeat} from '../actors/heartbeat.js';
import type {ActorOutput} from '../actors/output.js';
import {outageReporter} from '../actors/outage.js';
import {describeError} from '../errors.js';
import {RedisClock} from '../redis/clock.js';
import {defaultQueue, deferredKeys, queuesIndex} from '../redis/keys.js';
import type {RedisSession} from '../redis/session.js';
import {countdown} from '../text/index.js';
import {demoHandler, type DeferredHandler} from './handler.js';
import {DeferredStore, type ClaimedEvent, type Settled} from './store.js';
import {delay, endLoop, Waker} from './waker.js';

export type WorkerOptions = {
	/** One event per interval per slot; 0 = as fast as events come. */
	intervalMs: number;
	concurrency: number;
	leaseMs: number;
	maxAttempts: number;
	backoffMs: number;
	/** Demo handler: time each event takes. */
	workTimeMs?: number;
	/** Demo handler: share of attempts that throw. */
	failRate?: number;
	/** Replaces the demo handler. */
	handler?: DeferredHandler;
	name?: string;
	/** Idle fallback poll with interval 0: the Go master's LPUSH wakes nobody. */
	idlePollMs?: number;
	/** On stop, how long in-flight handlers may finish before their events are handed back. */
	stopGraceMs?: number;
	/** The deferred queue this worker takes from (--queue); message:queue when not given. */
	queue?: string;
};

export type InFlightView = {id: string; body: string; attempts: number; leaseUntil: number; startedAt: number};

export type WorkerState = {
	name: string;
	paused: boolean;
	idle: boolean;
	/** Redis ms of the next poll of a free slot; undefined while all slots are busy or polling now. */
	nextPollAt: number | undefined;
	inFlight: InFlightView[];
	handled: number;
	failed: number;
	redisDown: boolean;
};

type Slot = {busy: boolean; nextPollAt: number; lane: Lane};
/**
 * A connection with its share of the slots and a loop of its own. A worker
 * with two or more slots has two lanes, so while Redis runs one lane's call
 * this process runs the other lane's handlers: with one connection the two
 * took turns, each idle while the other worked. One call per lane per turn
 * still carries that lane's completions and its claim (lease.ts settle).
 */
type Lane = {
	redis: Redis | undefined;
	store: DeferredStore | undefined;
	slots: Slot[];
	completions: Completion[];
	waker: Waker;
	/** False once the loop has ended: completions then go to Redis on their own. */
	looping: boolean;
	running: Promise<void> | undefined;
	/** Its last claim found nothing: the worker is idle when every lane's did. */
	empty: boolean;
};

/** Two lanes from two slots up: enough to keep Redis and this process both busy. */
const lanesFor = (concurrency: number) => (concurrency >= 2 ? 2 : 1);
/** A claimed event while this worker holds it; `slot` is given back once (`slotFreed`). */
type Held = ClaimedEvent & {startedAt: number; lost: boolean; completing: boolean; slot: Slot; slotFreed: boolean};
/** A finished event waiting for the loop's next call; `tries` counts failed calls (Redis away). */
type Completion = {held: Held; tries: number; resolve: (ok: boolean | undefined) => void};

export class DeferredWorker {
	readonly name: string;
	private readonly options: Required<Omit<WorkerOptions, 'handler' | 'name'>>;
	private readonly handler: DeferredHandler;
	private redis: Redis | undefined;
	private sub: Redis | undefined;
	private store: DeferredStore | undefined;
	private heartbeat: Heartbeat | undefined;
	private readonly clock = new RedisClock();
	private readonly lanes: Lane[];
	private readonly slots: Slot[];
	private readonly held = new Map<string, Held>();
	/** Handlers running now, and who waits for none to be (stop). */
	private active = 0;
	private whenNoHandlers: (() => void) | undefined;
	private renewTimer: NodeJS.Timeout | undefined;
	private syncTimer: NodeJS.Timeout | undefined;
	private stopping = false;
	private paused = false;
	private idle = false;
	private failed = 0;
	private redisDown = false;

	constructor(
		private readonly session: RedisSession,
		private readonly output: ActorOutput,
		options: WorkerOptions,
	) {
		this.options = {
			workTimeMs: 0,
			failRate: 0,
			idlePollMs: 500,
			stopGraceMs: 500,
			...options,
			queue: options.queue ?? defaultQueue,
		};
		this.handler = options.handler ?? demoHandler(this.options.workTimeMs, this.options.failRate);
		this.name = options.name ?? actorName('worker');
		const concurrency = Math.max(1, options.concurrency);
		this.lanes = Array.from({length: lanesFor(concurrency)}, () => ({redis: undefined, store: undefined, slots: [], completions: [], waker: new Waker(), looping: false, running: undefined, empty: false}));
		this.slots = Array.from({length: concurrency}, (_, i) => {
			const lane = this.lanes[i % this.lanes.length] as Lane;
			const slot = {busy: false, nextPollAt: 0, lane};
			lane.slots.push(slot);
			return slot;
		});
	}

	private starting: Promise<void> | undefined;

	/** Connects, subscribes and starts the loop; stop() may be called at any time after. */
	start(): Promise<void> {
		this.starting ??= this.open();
		return this.starting;
	}

	private async open(): Promise<void> {
		this.redis = this.session.connect(`eda:${this.name}`, {autoPipelining: false, onState: outageReporter(this.output, this.name, () => this.stopping, (down) => (this.redisDown = down))});
		this.sub = this.session.connect(`eda:${this.name}:sub`);
		this.store = new DeferredStore(this.redis, deferredKeys(this.options.queue));
		for (const [i, lane] of this.lanes.entries()) {
			// The first lane shares the worker's own connection (renewals, failures, the heartbeat).
			lane.redis = i === 0 ? this.redis : this.session.connect(`eda:${this.name}:lane${i + 1}`, {autoPipelining: false});
			lane.store = i === 0 ? this.store : new DeferredStore(lane.redis, this.store.k);
		}
		this.heartbeat = new Heartbeat(this.redis, this.name, 'worker', this.detail());
		// After each wait, a stop that came meanwhile (Redis went down mid-start,
		// then SIGTERM: run-actors.ts) ends the start: nothing is set going after it.
		if (this.options.queue !== defaultQueue) await this.redis.sadd(queuesIndex, this.options.queue).catch(() => undefined);
		if (this.stopping) return;
		this.heartbeat.start();
		this.emit(['This consumer demonstrates Deffered Execution and Eventual Consistency'], {event: 'started'});
		await this.clock.sync(this.redis).catch(() => undefined);
		if (this.stopping) return;
		this.syncTimer = setInterval(() => void this.clock.sync(this.redis as Redis).catch(() => undefined), 30_000);
		this.syncTimer.unref();
		this.sub.on('message', (channel: string) => {
			if (channel === this.store?.k.readyChannel && this.options.intervalMs === 0) for (const lane of this.lanes) lane.waker.wake();
		});
		await this.sub.subscribe(this.store.k.readyChannel);
		if (this.stopping) return;
		this.renewTimer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.options.leaseMs / 3)));
		if (!this.stopping) for (const lane of this.lanes) lane.running = this.loop(lane);
	}

	pause(): void {
		this.paused = true;
	}

	resume(): void {
		this.paused = false;
		for (const lane of this.lanes) lane.waker.wake();
	}

	state(): WorkerState {
		const free = this.slots.filter((slot) => !slot.busy);
		const next = free.length > 0 ? Math.min(...free.map((slot) => slot.nextPollAt)) : undefined;
		const offset = this.clock.now() - Date.now();
		return {
			name: this.name,
			paused: this.paused,
			idle: this.idle,
			nextPollAt: next === undefined ? undefined : next + offset,
			inFlight: [...this.held.values()].map((h) => ({id: h.id, body: h.body, attempts: h.attempts, leaseUntil: h.leaseUntil, startedAt: h.startedAt})),
			handled: this.heartbeat?.handled ?? 0,
			failed: this.failed,
			redisDown: this.redisDown,
		};
	}

	/**
	 * Stops taking events, lets running handlers finish for a short grace, and
	 * hands the rest back to the head of the queue at once, so nothing waits
	 * for a lease to run out.
	 */
	async stop(): Promise<void> {
		if (this.stopping) return;
		this.stopping = true;
		await endLoop(
			this.starting,
			this.lanes.map((lane) => lane.waker),
			this.lanes.map((lane) => lane.running),
		);
		if (this.active > 0) {
			await Promise.race([new Promise<void>((resolve) => (this.whenNoHandlers = resolve)), delay(this.options.stopGraceMs)]);
		}
		const left = [...this.held.values()].filter((h) => !h.lost && !h.completing);
		if (left.length > 0 && this.store) {
			try {
				const n = await Promise.race([this.store.release(left), delay(2000).then(() => 0)]);
				if (n > 0) this.emit([`Handed ${n} unfinished event(s) back to the queue`], {event: 'released', ids: left.map((h) => h.id)});
			} catch {
				// Redis away: the leases run out and a master returns them.
			}
		}
		this.held.clear();
		if (this.renewTimer) clearInterval(this.renewTimer);
		if (this.syncTimer) clearInterval(this.syncTimer);
		await this.heartbeat?.stop();
		this.sub?.disconnect();
		for (const lane of this.lanes) if (lane.redis !== this.redis) lane.redis?.disconnect();
		this.redis?.disconnect();
	}

	private detail(): string {
		const o = this.options;
		return `${o.queue === defaultQueue ? '' : `queue ${o.queue}, `}interval ${o.intervalMs}ms, concurrency ${o.concurrency}, lease ${o.leaseMs}ms`;
	}

	/**
	 * One lane's loop, one Redis call per turn: the completions gathered since
	 * the last call go with the claim for the lane's slots free now (lease.ts
	 * settle). A finishing handler wakes its lane, so a completion never waits
	 * for a timer.
	 */
	private async loop(lane: Lane): Promise<void> {
		const store = lane.store as DeferredStore;
		const claimer = {worker: this.name, leaseMs: this.options.leaseMs, maxAttempts: this.options.maxAttempts};
		let failures = 0;
		lane.looping = true;
		while (!this.stopping) {
			const now = Date.now();
			let ready = 0;
			if (!this.paused) for (const slot of lane.slots) if (!slot.busy && slot.nextPollAt <= now) ready++;
			const finished = lane.completions;
			if (ready > 0 || finished.length > 0) {
				lane.completions = [];
				let settled: Settled;
				try {
					settled = await store.settle(finished.map((c) => c.held), ready, claimer);
					failures = 0;
				} catch {
					// Redis away: the client reconnects with backoff; try again after a pause. A
					// completion given up after 20 tries resolves undefined: its lease runs out and
					// a master returns the event.
					failures++;
					lane.completions = this.retained(finished).concat(lane.completions);
					await delay(Math.min(2000, 100 * failures));
					continue;
				}
				for (let i = 0; i < finished.length; i++) (finished[i] as Completion).resolve(settled.completed[i] === true);
				if (ready > 0) {
					const {events} = settled;
					const claimedAt = Date.now();
					let next = 0;
					for (const slot of lane.slots) {
						if (slot.busy || slot.nextPollAt > now) continue;
						slot.nextPollAt = claimedAt + this.options.intervalMs;
						const event = events[next++];
						if (event) this.begin(slot, event);
					}
					lane.empty = events.length === 0;
					const idle = this.lanes.every((each) => each.empty);
					if (idle && !this.idle) this.emit(['Listening for Events from Event Queue'], {event: 'idle'});
					this.idle = idle;
					// Every slot got one and there is no interval: more may be waiting.
					if (events.length === ready && this.options.intervalMs === 0) continue;
				}
				if (lane.completions.length > 0) continue;
			}
			if (this.stopping) break;
			let earliest = Number.POSITIVE_INFINITY;
			for (const slot of lane.slots) if (!slot.busy && slot.nextPollAt < earliest) earliest = slot.nextPollAt;
			let sleepMs: number;
			if (this.paused || earliest === Number.POSITIVE_INFINITY) sleepMs = 60_000; // a finishing handler or resume() wakes us
			else if (this.options.intervalMs === 0) sleepMs = this.options.idlePollMs; // the ready channel wakes us sooner
			else sleepMs = Math.max(0, earliest - Date.now());
			if (sleepMs > 0) await lane.waker.sleep(sleepMs);
		}
		lane.looping = false;
		// Completions that came while the last call was out; later ones go on their own (complete()).
		if (lane.completions.length > 0) this.flushCompletions(lane);
	}

	/** The completions of a failed call still worth another try; the others are given up (resolved undefined). */
	private retained(finished: Completion[]): Completion[] {
		const kept: Completion[] = [];
		for (const c of finished) {
			c.tries++;
			if (c.tries < 20 && !this.stopping) kept.push(c);
			else c.resolve(undefined);
		}
		return kept;
	}

	private begin(slot: Slot, event: ClaimedEvent): void {
		slot.busy = true;
		// The claimed event itself becomes the held one: no copy per event.
		const held = event as Held;
		held.startedAt = this.clock.now();
		held.lost = false;
		held.completing = false;
		held.slot = slot;
		held.slotFreed = false;
		this.held.set(event.id, held);
		this.emit([`Processing event: ${event.body}`], {event: 'processing', id: event.id, attempts: event.attempts, due: event.due, claimedAt: event.claimedAt, body: event.body});
		this.active++;
		void this.handle(held);
	}

	/**
	 * Gives the slot back once per event: when the handler is over, or when
	 * handle() ends without getting that far. Checking slot.busy instead would
	 * free the slot a second time after the next event had already taken it,
	 * letting more than `concurrency` run.
	 */
	private free(held: Held): void {
		if (held.slotFreed) return;
		held.slotFreed = true;
		held.slot.busy = false;
		held.slot.lane.waker.wake();
	}

	/** Runs the handler and ends the event in Redis; never rejects. */
	private async handle(held: Held): Promise<void> {
		try {
			await this.finish(held);
		} catch {
			// Only an output that throws gets here: the lease runs out and the event comes back.
		} finally {
			this.held.delete(held.id);
			this.free(held);
			this.active--;
			if (this.active === 0 && this.whenNoHandlers) {
				this.whenNoHandlers();
				this.whenNoHandlers = undefined;
			}
		}
	}

	private async finish(held: Held): Promise<void> {
		let error: unknown;
		let ok = false;
		try {
			await this.handler({id: held.id, body: held.body, attempts: held.attempts});
			ok = true;
		} catch (caught) {
			error = caught;
		}
		// A record with no line: when the handler itself ended, so a test (or a
		// reader of --json) can count handlers running at once.
		this.output.emit(this.name, [], {event: 'handled', id: held.id, ok});
		if (this.stopping && !this.held.has(held.id)) return; // handed back already
		// The next claim can go out while this completion is on its way: the
		// event stays held (and its lease renewed) until Redis confirms.
		held.completing = true;
		if (ok) {
			const completed = this.complete(held);
			this.free(held);
			const result = await completed;
			if (result === undefined) return; // Redis stayed away: the lease runs out and the event comes back
			if (this.heartbeat) this.heartbeat.handled++;
			if (!result) this.emit([`Event ${held.id} finished after its lease was lost; another worker may process it again`], {event: 'lease-lost', id: held.id});
			else this.output.emit(this.name, [], {event: 'done', id: held.id});
			return;
		}
		this.free(held);
		this.failed++;
		const message = describeError(error);
		const store = this.store as DeferredStore;
		const result = await this.retrying(() => store.fail(held.id, held.token, message, this.options.maxAttempts, this.options.backoffMs));
		if (result === undefined) return;
		const tag = `Event ${held.id} failed (attempt ${held.attempts}/${this.options.maxAttempts}): ${message}`;
		if (result.outcome === 'retry') {
			this.emit([`${tag}; retry ${countdown(result.due, this.clock.now())}`], {event: 'failed', id: held.id, attempts: held.attempts, error: message, failedAt: result.failedAt, retryAt: result.due});
		} else if (result.outcome === 'dead') {
			this.emit([`${tag}; moved to the dead-letter list`], {event: 'dead', id: held.id, attempts: held.attempts, error: message});
		} else {
			this.emit([`${tag}; its lease was already lost`], {event: 'lease-lost', id: held.id});
		}
	}

	/** A few tries across a short Redis outage; undefined when it stays away. */
	private async retrying<T>(call: () => Promise<T>): Promise<T | undefined> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await call();
			} catch {
				if (attempt >= 20 || this.stopping) return undefined;
				await delay(Math.min(2000, 100 * attempt));
			}
		}
	}

	/**
	 * Queues a completion for the loop's next call, which it wakes (free() does,
	 * right after); once the loop has ended (a stop), completions finishing in
	 * the same tick go to Redis as one call of their own.
	 */
	private complete(held: Held): Promise<boolean | undefined> {
		const lane = held.slot.lane;
		return new Promise((resolve) => {
			lane.completions.push({held, tries: 0, resolve});
			if (!lane.looping && lane.completions.length === 1) setImmediate(() => this.flushCompletions(lane));
		});
	}

	private flushCompletions(lane: Lane): void {
		const batch = lane.completions;
		lane.completions = [];
		if (batch.length === 0) return;
		(lane.store as DeferredStore).completeMany(batch.map((c) => c.held)).then(
			(results) => batch.forEach((c, i) => c.resolve(results[i] === true)),
			() => {
				const kept = this.retained(batch);
				if (kept.length === 0) return;
				lane.completions = kept.concat(lane.completions);
				setTimeout(() => this.flushCompletions(lane), 100);
			},
		);
	}

	private async renew(): Promise<void> {
		const held = [...this.held.values()].filter((h) => !h.lost);
		if (held.length === 0 || !this.store) return;
		try {
			const {kept} = await this.store.renew(held, this.options.leaseMs);
			const now = this.clock.now();
			held.forEach((h, i) => {
				if (kept[i]) h.leaseUntil = now + this.options.leaseMs;
				else if (this.held.has(h.id) && !h.lost) {
					h.lost = true;
					this.emit([`Lost the lease on event ${h.id}; a master may have returned it to the queue`], {event: 'lease-lost', id: h.id});
				}
			});
		} catch {
			// Redis away: try again at the next tick; the lease has two more thirds to go.
		}
	}

	private emit(lines: string[], record: Record<string, unknown>): void {
		this.output.emit(this.name, lines, record);
	}
}
