// The dashboard's state lives here, outside React (as Gatsby's CLI does it):
// actors, the PSUBSCRIBE feed and the refresher write into it at any rate;
// listeners hear about it at most once per frame, so a flood of events costs
// one render per frame, not one per event. Components select the slice they
// draw through useStore (hooks/use-store.ts).
import {hostname} from 'node:os';
import {initialBrowse, type BrowseState} from './browse.js';
import type {CatalogState} from './catalog.js';
import {RateHistory} from './rate-history.js';
import type {MeshState} from './mesh.js';
import {LogBuffer} from './log-buffer.js';
import {QueueRates, stageNames, type Counters, type Counts} from './queue-rates.js';
import {pausable} from './selectors.js';
import {TopicStats} from './topic-stats.js';
import {paneIds, type DashboardState, type DeferredEvent, type LabState, type LocalActor, type NamedQueue, type PaneId, type Status, type TopicRow, type Ui} from './types.js';

export type Snapshot = {
	/** Redis time of the snapshot, ms. */
	now: number;
	rttMs: number;
	topics: {name: string; stored?: number; lastAt: number; subscribers: number; groups: TopicRow['groups']}[];
	counts: Counts;
	counters: Counters;
	scheduled: DeferredEvent[];
	inflight: DeferredEvent[];
	oldestReadyAt?: number;
	actorNames: string[];
	/** Named deferred queues (from the index eda:queues) and their counts. */
	namedQueues?: NamedQueue[];
};

type Listener = () => void;

/** Heartbeat names read `kind:host:pid:random` (actors/heartbeat.ts actorName). */
const ownMark = `:${hostname()}:${process.pid}:`;

export type StoreOptions = {
	/** Longest wait before listeners hear about a change: one frame. */
	frameMs?: number;
	logCapacity?: number;
	/** Redis time in ms (RedisClock.now); countdowns are computed against it. */
	now?: () => number;
	redisUrl?: string;
};

export const initialUi = (): Ui => ({
	view: 'panes',
	labs: {selected: 0, explain: false},
	catalog: {selected: 0, open: false},
	focus: 'topics',
	overlay: 'none',
	filters: {topics: '', queues: '', deferred: '', log: ''},
	selection: {topics: 0, queues: 0, deferred: 0, log: 0},
	log: {follow: true, wrap: false, fromBottom: 0, pausedAtTotal: 0},
});

export class DashboardStore {
	readonly log: LogBuffer;
	readonly live = new TopicStats();
	readonly rates = new QueueRates();
	/** Each topic's rate over the last 15 minutes, kept in this process (the Events view's chart). */
	readonly longRates = new RateHistory();
	readonly now: () => number;
	private state: DashboardState;
	private readonly listeners = new Set<Listener>();
	private readonly frameMs: number;
	private timer: NodeJS.Timeout | undefined;
	private immediate: NodeJS.Immediate | undefined;
	private topicsDirty = false;
	/** Lines arrived since the last notification: logVersion moves once per frame, not once per line. */
	private logDirty = false;
	private stored = new Map<string, Snapshot['topics'][number]>();
	/** Listener calls so far (for the benchmark and tests). */
	notifications = 0;

	constructor(options: StoreOptions = {}) {
		this.frameMs = options.frameMs ?? 66;
		this.log = new LogBuffer(options.logCapacity);
		this.now = options.now ?? Date.now;
		this.state = {
			topics: [],
			stages: stageNames.map((name) => ({name, count: 0, inRate: 0, outRate: 0, trend: 'steady'})),
			scheduled: [],
			inflight: [],
			counters: {done: 0, retried: 0, dead: 0, enqueued: 0},
			actors: [],
			status: {redisUrl: options.redisUrl ?? '', redisState: 'connecting', actorsHere: 0, actorsElsewhere: 0},
			logVersion: 0,
			lab: {phase: 'idle'},
			catalog: {loaded: false, rows: []},
			browse: initialBrowse(),
			mesh: {enabled: false, loaded: false, brokers: [], links: [], interest: []},
			ui: initialUi(),
		};
	}

	getState = (): DashboardState => this.state;

	subscribe = (listener: Listener): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	/** Replace part of the state; listeners hear at the next frame, or at once when `urgent` (keys). */
	set(patch: Partial<DashboardState>, urgent = false): void {
		this.state = {...this.state, ...patch};
		this.schedule(urgent);
	}

	ui(update: (ui: Ui) => Partial<Ui>): void {
		this.set({ui: {...this.state.ui, ...update(this.state.ui)}}, true);
	}

	status(patch: Partial<Status>): void {
		this.set({status: {...this.state.status, ...patch}});
	}

	notice(text: string, error = false): void {
		this.status({notice: {text, error, at: Date.now()}});
	}

	/** An actor's lines into the log, as ActorOutput.emit gives them. */
	appendLog(actor: string, lines: string[]): void {
		const at = Date.now();
		for (const line of lines) this.log.push(actor, line, at);
		this.dirtyLog();
	}

	clearLog(): void {
		this.log.clear();
		this.ui((ui) => ({log: {...ui.log, fromBottom: 0, pausedAtTotal: this.log.total}}));
		this.dirtyLog();
	}

	/** One message seen on the PSUBSCRIBE connection. */
	recordTopic(topic: string, payload: string): void {
		this.live.record(topic, payload);
		this.longRates.record(topic);
		this.topicsDirty = true;
		this.schedule(false);
	}

	/** The lab's state as the host reports it; a change of phase draws at once, a snapshot with the next frame. */
	setLab(lab: LabState): void {
		this.set({lab}, lab.phase !== this.state.lab.phase);
	}

	/** The catalog feed's batch: every topic's row at once (the view draws with the next frame). */
	setCatalog(catalog: CatalogState): void {
		this.set({catalog});
	}

	/** The Events view's state (feed/browser.ts); drawn at once, as keys are. */
	setBrowse(patch: Partial<BrowseState>, urgent = true): void {
		this.set({browse: {...this.state.browse, ...patch}}, urgent);
	}

	/** The mesh feed's batch: brokers, links and interest at once. */
	setMesh(mesh: MeshState): void {
		this.set({mesh});
	}

	setActors(actors: LocalActor[]): void {
		this.topicsDirty = true;
		const max = Math.max(0, pausable(actors).length - 1);
		const selection = this.state.ui.selection;
		this.set({actors, ui: selection.deferred > max ? {...this.state.ui, selection: {...selection, deferred: max}} : this.state.ui});
	}

	applySnapshot(snapshot: Snapshot): void {
		this.stored = new Map(snapshot.topics.map((topic) => [topic.name, topic]));
		this.rates.add({at: snapshot.now, counts: snapshot.counts, counters: snapshot.counters});
		const flows = this.rates.flows();
		const listed = new Set(this.state.actors.map((actor) => actor.name));
		// Ours: the actors the panes list, and any other of this process (a lab's services), by the host:pid in the name.
		const here = {has: (name: string) => listed.has(name) || name.includes(ownMark)};
		this.topicsDirty = true;
		this.set({
			stages: stageNames.map((name) => ({name, count: snapshot.counts[name], ...flows[name]})),
			oldestReadyMs: snapshot.oldestReadyAt === undefined ? undefined : Math.max(0, snapshot.now - snapshot.oldestReadyAt),
			namedQueues: snapshot.namedQueues,
			scheduled: snapshot.scheduled,
			inflight: snapshot.inflight,
			counters: {done: snapshot.counters.done, retried: snapshot.counters.retried, dead: snapshot.counters.dead, enqueued: snapshot.counters.enqueued},
			status: {
				...this.state.status,
				rttMs: snapshot.rttMs,
				actorsHere: snapshot.actorNames.filter((name) => here.has(name)).length,
				actorsElsewhere: snapshot.actorNames.filter((name) => !here.has(name)).length,
			},
		});
	}

	/** Topic names known so far (for completion). */
	topicNames(): string[] {
		return this.state.topics.map((topic) => topic.name);
	}

	/** Moves focus (the keymap's Tab and 1-4); each pane keeps its selection, clamped where it moves (keymap.ts move, setActors). */
	focus(pane: PaneId): void {
		this.ui(() => ({focus: pane}));
	}

	cycleFocus(step: 1 | -1): void {
		const index = paneIds.indexOf(this.state.ui.focus);
		this.focus(paneIds[(index + step + paneIds.length) % paneIds.length] ?? 'topics');
	}

	/** Runs pending work and tells listeners now (tests, exit). */
	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		if (this.immediate) clearImmediate(this.immediate);
		this.timer = undefined;
		this.immediate = undefined;
		if (this.topicsDirty || this.logDirty) {
			this.state = {
				...this.state,
				...(this.topicsDirty ? {topics: this.buildTopics()} : {}),
				...(this.logDirty ? {logVersion: this.state.logVersion + 1} : {}),
			};
			this.topicsDirty = false;
			this.logDirty = false;
		}
		this.notifications++;
		for (const listener of this.listeners) listener();
	}

	dispose(): void {
		if (this.timer) clearTimeout(this.timer);
		if (this.immediate) clearImmediate(this.immediate);
		this.listeners.clear();
	}

	private dirtyLog(): void {
		this.logDirty = true;
		this.schedule(false);
	}

	private schedule(urgent: boolean): void {
		if (urgent) {
			this.immediate ??= setImmediate(() => this.flush());
			return;
		}
		if (this.timer || this.immediate) return;
		this.timer = setTimeout(() => this.flush(), this.frameMs);
	}

	private buildTopics(): TopicRow[] {
		const nowMs = Date.now();
		const subscribed = new Set(this.state.actors.filter((actor) => actor.kind === 'consumer').map((actor) => actor.label));
		const names = new Set([...this.stored.keys(), ...this.live.topics.keys()]);
		return [...names].sort().map((name) => {
			const stored = this.stored.get(name);
			const live = this.live.topics.get(name);
			return {
				name,
				stored: stored?.stored,
				seen: live?.seen ?? 0,
				rate: this.live.rate(name, nowMs),
				history: this.live.history(name, nowMs),
				subscribers: stored?.subscribers ?? 0,
				groups: stored?.groups ?? [],
				last: live?.last ?? '',
				lastAt: Math.max(stored?.lastAt ?? 0, live?.lastAt ?? 0),
				subscribedHere: subscribed.has(name),
			};
		});
	}
}
