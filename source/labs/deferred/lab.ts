// The deferred lab: a burst of delayed tasks through the producer, one master,
// and either one worker at the article's 10 s cadence or four at full speed.
import type {ActorOutput} from '../../actors/output.js';
import {describeError} from '../../errors.js';
import {readDeferredSnapshot} from '../../deferred/inspect.js';
import {DeferredMaster} from '../../deferred/master.js';
import {DeferredWorker} from '../../deferred/worker.js';
import type {LabRoute} from '../http.js';
import {LabBase, type LabAction, type LabOptions} from '../lab.js';
import {duration} from '../../text/index.js';
import {deferredExplanation, deferredTitle} from './explain.js';
import type {BurstRow, DeferredLabSnapshot, DeferredMode} from './snapshot.js';

/**
 * The most tasks a burst may hold (`--burst`). Each task is its own POST
 * /deferred-exec, one after another, and the first burst is posted before the
 * lab says it runs: a thousand take a second or two. The view shows counts
 * and the next countdowns, so any size up to this draws the same.
 */
export const maxBurst = 1000;

export type DeferredLabOptions = LabOptions & {
	/** Tasks per burst (1 to maxBurst); default 12. */
	burst?: number;
	/** Delays spread evenly from `firstDelayMs` to `firstDelayMs + spreadMs`. */
	firstDelayMs?: number;
	spreadMs?: number;
	/** The slow worker's interval (the article's 10 s). */
	slowIntervalMs?: number;
	/** Workers at interval 0 in fast mode. */
	fastWorkers?: number;
	/** Switch from slow to fast this long after the first burst; 0 = only on demand. */
	switchAfterMs?: number;
};

type Burst = BurstRow & {ids: Set<string>; lastDoneAt?: number};

export class DeferredLab extends LabBase {
	readonly name = 'deferred' as const;
	readonly title = deferredTitle;
	private master: DeferredMaster | undefined;
	private workers: {worker: DeferredWorker; intervalMs: number}[] = [];
	private mode: DeferredMode = 'slow';
	private readonly bursts: Burst[] = [];
	private switchTimer: NodeJS.Timeout | undefined;
	private switching: Promise<void> = Promise.resolve();
	/** Worker output goes on to the lab's, and tells the lab which of its tasks are done. */
	private readonly workerOutput: ActorOutput;
	/** Actors this lab is stopping: their own disconnect is not news. */
	private readonly stopping = new Set<string>();

	constructor(private readonly labOptions: DeferredLabOptions) {
		super(labOptions);
		this.workerOutput = {
			emit: (actor, lines, record) => {
				if (record['event'] === 'done' && typeof record['id'] === 'string') this.onDone(record['id']);
				if ((record['event'] === 'redis-down' || record['event'] === 'redis-up') && this.stopping.has(actor)) return;
				labOptions.output.emit(actor, lines, record);
			},
		};
	}

	get burstSize(): number {
		return this.labOptions.burst ?? 12;
	}

	get currentMode(): DeferredMode {
		return this.mode;
	}

	/** Posts a burst of delayed tasks through POST /deferred-exec, as curl would. */
	async burst(): Promise<BurstRow> {
		const size = this.burstSize;
		const first = this.labOptions.firstDelayMs ?? 2000;
		const spread = this.labOptions.spreadMs ?? 6000;
		const number = this.bursts.length + 1;
		const burst: Burst = {number, size, mode: this.mode, workers: this.workers.length, postedAt: this.clock.now(), lastDue: 0, done: 0, ids: new Set()};
		this.bursts.push(burst);
		for (let i = 0; i < size; i++) {
			const delay = Math.round(first + (size > 1 ? (spread * i) / (size - 1) : 0));
			const res = await fetch(`${this.url}/deferred-exec?delay=${delay}ms`, {
				method: 'POST',
				headers: {'content-type': 'application/json', ...this.producerHeaders},
				body: JSON.stringify({lab: 'deferred', burst: number, task: i + 1}),
			});
			const answer = (await res.json().catch(() => ({}))) as {id?: string; due?: number; error?: string};
			if (!res.ok || !answer.id) throw new Error(`POST /deferred-exec answered ${res.status}: ${answer.error ?? 'no id'}`);
			burst.ids.add(String(answer.id));
			burst.lastDue = Math.max(burst.lastDue, Number(answer.due ?? 0));
		}
		this.emit('lab:deferred', `Burst ${number}: ${size} tasks posted, due in ${duration(first)}–${duration(first + spread)}; ${this.describeMode()}`, {event: 'burst', burst: number, size, mode: this.mode});
		return burst;
	}

	/** One worker at the slow interval, or several at interval 0. */
	setMode(mode: DeferredMode): Promise<void> {
		this.switching = this.switching.then(async () => {
			if (this.isStopped) return;
			this.mode = mode;
			const old = this.workers;
			this.workers = [];
			for (const w of old) this.stopping.add(w.worker.name);
			await Promise.allSettled(old.map((w) => w.worker.stop()));
			const count = mode === 'slow' ? 1 : (this.labOptions.fastWorkers ?? 4);
			const intervalMs = mode === 'slow' ? (this.labOptions.slowIntervalMs ?? 10_000) : 0;
			for (let i = 0; i < count; i++) {
				const worker = new DeferredWorker(this.options.session, this.workerOutput, {intervalMs, concurrency: 1, leaseMs: 30_000, maxAttempts: 5, backoffMs: 1000});
				this.workers.push({worker, intervalMs});
			}
			await Promise.all(this.workers.map((w) => w.worker.start()));
			this.emit('lab:deferred', `Now ${this.describeMode()}`, {event: 'mode', mode, workers: count, intervalMs});
		});
		return this.switching;
	}

	toggleMaster(): void {
		const master = this.master;
		if (!master) return;
		if (master.state().paused) master.resume();
		else master.pause();
		this.emit('lab:deferred', master.state().paused ? 'Master paused: due tasks stay in the schedule, overdue' : 'Master resumed', {event: 'master', paused: master.state().paused});
	}

	private describeMode(): string {
		return this.mode === 'slow'
			? `one worker taking a task every ${duration(this.labOptions.slowIntervalMs ?? 10_000)}`
			: `${this.labOptions.fastWorkers ?? 4} workers at full speed`;
	}

	private onDone(id: string): void {
		const burst = this.bursts.find((b) => b.ids.has(id));
		if (!burst) return;
		burst.done++;
		if (burst.done === burst.size) {
			burst.lastDoneAt = this.clock.now();
			burst.drainMs = Math.max(0, burst.lastDoneAt - burst.lastDue);
			this.emit('lab:deferred', `Burst ${burst.number} drained: all ${burst.size} done ${duration(burst.drainMs)} after the last fell due (${this.describeMode()})`, {
				event: 'drained',
				burst: burst.number,
				drainMs: burst.drainMs,
				mode: this.mode,
			});
		}
	}

	protected async startActors(): Promise<void> {
		this.master = new DeferredMaster(this.options.session, this.workerOutput);
		await this.master.start();
		await this.setMode('slow');
		this.emit('lab:deferred', `Deferred lab running on ${this.url}: a master and ${this.describeMode()}`, {event: 'started', url: this.url});
		await this.burst();
		const after = this.labOptions.switchAfterMs ?? 0;
		if (after > 0) {
			this.switchTimer = setTimeout(() => {
				const burst = this.bursts[0];
				this.emit('lab:deferred', `After ${duration(after)} the slow worker has done ${burst?.done ?? 0} of ${burst?.size ?? 0}; switching to fast`, {event: 'compare', done: burst?.done, size: burst?.size});
				void this.setMode('fast').then(() => this.burst()).catch((error: unknown) => this.emit('lab:deferred', `Could not go on: ${describeError(error)}`, {event: 'error', error: describeError(error)}));
			}, after);
		}
	}

	protected async stopActors(): Promise<void> {
		if (this.switchTimer) clearTimeout(this.switchTimer);
		await this.switching.catch(() => undefined);
		const workers = this.workers;
		this.workers = [];
		for (const w of workers) this.stopping.add(w.worker.name);
		if (this.master) this.stopping.add(this.master.name);
		await Promise.allSettled([...workers.map((w) => w.worker.stop()), this.master?.stop()]);
	}

	async snapshot(): Promise<DeferredLabSnapshot> {
		const picture = await readDeferredSnapshot(this.client, 20);
		return {
			lab: 'deferred',
			title: this.title,
			explanation: deferredExplanation,
			now: picture.now,
			url: this.url,
			mode: this.mode,
			masterPaused: this.master?.state().paused ?? false,
			counts: picture.counts,
			scheduled: picture.scheduled.map((e) => ({id: e.id, body: e.body, due: e.due ?? 0})),
			workers: this.workers.map(({worker, intervalMs}) => {
				const state = worker.state();
				return {name: state.name, intervalMs, paused: state.paused, ...(state.nextPollAt !== undefined ? {nextPollAt: state.nextPollAt} : {}), inFlight: state.inFlight.length, handled: state.handled};
			}),
			bursts: this.bursts.map(({ids: _ids, lastDoneAt: _last, ...row}) => row),
			...(picture.oldestReadyAt !== undefined ? {oldestReadyMs: Math.max(0, picture.now - picture.oldestReadyAt)} : {}),
			actions: this.actions().map(({key, label}) => ({key, label})),
		};
	}

	/** Its routes are the producer's deferred ones: a task posted so joins the lab's workers' queue. */
	routes(): LabRoute[] {
		return [
			{method: 'POST', path: '/deferred-exec?delay=10s', does: 'a delayed task of your own, run by the same workers (delay: 500ms, 30s, 2m)', body: '{"lab": "deferred", "task": "mine"}'},
			{method: 'GET', path: '/deferred/<id>', does: 'one deferred task: its state and times'},
		];
	}

	actions(): LabAction[] {
		return [
			{
				key: 'b',
				label: `post another burst of ${this.burstSize}`,
				run: () => void this.burst().catch((error: unknown) => this.emit('lab:deferred', `Could not post a burst: ${describeError(error)}`, {event: 'error', error: describeError(error)})),
			},
			{key: 'w', label: 'one slow worker / four fast', run: () => void this.setMode(this.mode === 'slow' ? 'fast' : 'slow')},
			{key: 'm', label: 'pause/resume the master', run: () => this.toggleMaster()},
		];
	}
}
