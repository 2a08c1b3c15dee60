// The concept labs inside the dashboard: one at a time, served by the
// dashboard's own producer (labRoutes mounts whichever lab is current), its
// lines going to the Log, its snapshot reaching the store about once a second
// for the Labs view. Part of the backend: loaded after the first frame.
import type {ActorOutput} from '../../actors/output.js';
import {describeError} from '../../errors.js';
import type {Lab, LabName} from '../../labs/lab.js';
import {createLab, type AnyLabOptions} from '../../labs/registry.js';
import type {RedisSession} from '../../redis/session.js';
import type {LabControls} from '../controls.js';
import type {LabState} from '../store/types.js';

/** Knobs a lab starts with; the lab's keys change them live. */
export type LabSettings = Omit<AnyLabOptions, 'session' | 'output' | 'producerUrl' | 'port' | 'host' | 'auth'>;

/** As `eda lab` runs them: the probe now and then, the deferred preset switching to fast after 30 s. */
export const dashboardLabSettings: LabSettings = {probeEveryMs: 10_000, switchAfterMs: 30_000, stepMs: 20_000};

export type LabHostOptions = {
	session: RedisSession;
	output: ActorOutput;
	/** The dashboard's producer, which serves the lab's routes. */
	producerUrl: () => string | undefined;
	/** The token that producer wants, sent with the lab's own requests. */
	producerToken?: () => string | undefined;
	settings?: LabSettings;
	/** Told whenever the lab's state or snapshot changes. */
	onState: (state: LabState) => void;
	/**
	 * Called before a lab starts: parks the dashboard's own actors that would
	 * compete with it (the deferred lab shares message:queue); resolves with
	 * what puts them back when the lab stops.
	 */
	hold?: (name: LabName) => Promise<(() => void) | undefined>;
	/** How often the snapshot is read. */
	snapshotMs?: number;
};

export class LabHost implements LabControls {
	/** The lab whose routes the producer serves, while it starts and runs. */
	current: Lab | undefined;
	private state: LabState = {phase: 'idle'};
	private release: (() => void) | undefined;
	private queue: Promise<unknown> = Promise.resolve();
	private timer: NodeJS.Timeout | undefined;
	/** Bumped per lab: a snapshot read for a lab that has since stopped is dropped. */
	private generation = 0;
	private closed = false;

	constructor(private readonly options: LabHostOptions) {}

	get lab(): LabState {
		return this.state;
	}

	start(name: LabName): Promise<void> {
		return this.serial(async () => {
			await this.stopNow();
			if (this.closed) throw new Error('the dashboard is stopping');
			await this.startNow(name);
		});
	}

	stop(): Promise<void> {
		return this.serial(() => this.stopNow());
	}

	/** Stops the lab and refuses new ones (the dashboard is quitting). */
	close(): Promise<void> {
		this.closed = true;
		return this.stop();
	}

	async action(key: string): Promise<void> {
		const lab = this.state.phase === 'running' ? this.current : undefined;
		const action = lab?.actions().find((a) => a.key === key);
		if (!action) return;
		await action.run();
		// Show the effect now, not at the next tick.
		await this.refresh(this.generation);
	}

	private serial(work: () => Promise<void>): Promise<void> {
		const run = this.queue.then(work, work);
		this.queue = run.catch(() => undefined);
		return run;
	}

	private set(state: LabState): void {
		this.state = state;
		this.options.onState(state);
	}

	private async startNow(name: LabName): Promise<void> {
		const producerUrl = this.options.producerUrl();
		if (!producerUrl) throw new Error('the producer is not running yet; try again in a moment');
		const generation = ++this.generation;
		this.set({phase: 'starting', name});
		this.release = await this.options.hold?.(name);
		const lab = createLab(name, {...dashboardLabSettings, ...this.options.settings, session: this.options.session, output: this.options.output, producerUrl, auth: {token: this.options.producerToken?.()}});
		this.current = lab;
		try {
			await lab.start();
		} catch (error) {
			this.current = undefined;
			this.releaseHold();
			this.set({phase: 'idle', name, error: describeError(error)});
			throw error;
		}
		this.set({phase: 'running', name});
		await this.refresh(generation);
		this.schedule(generation);
	}

	private async stopNow(): Promise<void> {
		const lab = this.current;
		this.generation++;
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		if (!lab) return;
		this.set({phase: 'stopping', name: lab.name, snapshot: this.state.snapshot});
		try {
			await lab.stop();
		} finally {
			this.current = undefined;
			this.releaseHold();
			this.set({phase: 'idle', name: lab.name});
		}
	}

	private releaseHold(): void {
		const release = this.release;
		this.release = undefined;
		release?.();
	}

	private schedule(generation: number): void {
		if (generation !== this.generation) return;
		this.timer = setTimeout(() => {
			void this.refresh(generation).then(() => this.schedule(generation));
		}, this.options.snapshotMs ?? 1000);
	}

	/** Reads the snapshot; a failure (Redis away) keeps the last one and says why. */
	private async refresh(generation: number): Promise<void> {
		const lab = this.current;
		if (!lab || generation !== this.generation) return;
		try {
			const snapshot = await lab.snapshot();
			if (generation === this.generation && this.state.phase === 'running') this.set({phase: 'running', name: lab.name, snapshot});
		} catch (error) {
			if (generation === this.generation && this.state.phase === 'running') this.set({...this.state, error: describeError(error)});
		}
	}
}
