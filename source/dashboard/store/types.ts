import type {LabName, LabSnapshot} from '../../labs/lab.js';
import type {BrowseState} from './browse.js';
import type {CatalogState} from './catalog.js';
import type {MeshState} from './mesh.js';
import type {StageFlow, StageName} from './queue-rates.js';

export const paneIds = ['topics', 'queues', 'deferred', 'log'] as const;
export type PaneId = (typeof paneIds)[number];
export const paneTitles: Record<PaneId, string> = {topics: 'Topics', queues: 'Queues', deferred: 'Deferred', log: 'Log'};

export type RedisState = 'connecting' | 'connected' | 'reconnecting' | 'down';

export type TopicRow = {
	name: string;
	/** Events stored through eda (the topics hash); undefined for topics only seen live. */
	stored?: number;
	/** Seen live on this Redis since start (any publisher). */
	seen: number;
	rate: number;
	/** Per-second counts for the last minute, oldest first. */
	history: number[];
	subscribers: number;
	groups: {name: string; lag: number | undefined; pending: number}[];
	/** Head of the last payload, raw. */
	last: string;
	/** ms, Redis time when from the hash, else local; only used for ordering. */
	lastAt: number;
	/** A consumer in this process listens to it. */
	subscribedHere: boolean;
};

export type Stage = StageFlow & {
	name: StageName;
	count: number;
};

export type DeferredEvent = {
	id: string;
	/** ms, Redis time: due time (scheduled) or lease expiry (in flight). */
	at: number;
	body: string;
	attempts: number;
};

export type LocalActor = {
	/** Stable key: the actor's heartbeat name. */
	name: string;
	kind: 'master' | 'worker' | 'consumer' | 'producer';
	label: string;
	paused: boolean;
	/** ms, Redis time of the worker's next poll, when known. */
	nextPollAt?: number;
	/** Events this actor is handling now. */
	busy: number;
	handled: number;
};

export type Status = {
	redisUrl: string;
	/** On a Redis Cluster: masters up, slots covered, the nodes this process's connections use (clusterLine). */
	cluster?: string;
	redisState: RedisState;
	rttMs?: number;
	producerUrl?: string;
	/** The producer is open beyond loopback without a token (--insecure): said on the status bar for as long as it runs. */
	insecure?: boolean;
	/** Callers of the producer must send a token. */
	tokenRequired?: boolean;
	actorsHere: number;
	actorsElsewhere: number;
	/** A one-line notice: the last action's result or error. */
	notice?: {text: string; error: boolean; at: number};
};

/** `ask`: the Events view asks on its last line (store/browse.ts Ask); keys type into it. */
export type Overlay = 'none' | 'help' | 'form' | 'filter' | 'subscribe' | 'ask';

/** The four panes, or the Labs, Catalog, Events or Mesh view full-screen in their place. */
export type View = 'panes' | 'labs' | 'catalog' | 'events' | 'mesh';

/** The concept lab this process runs (at most one), as the Labs view draws it. */
export type LabState = {
	phase: 'idle' | 'starting' | 'running' | 'stopping';
	name?: LabName;
	/** The latest snapshot of the running lab (about once a second). */
	snapshot?: LabSnapshot;
	/** Why the last start or snapshot failed, while it stands. */
	error?: string;
};

export type Ui = {
	view: View;
	/** The Labs view: the lab picked in the picker (index into the labs), and the whole explanation shown. */
	labs: {selected: number; explain: boolean};
	/** The Catalog view: the selected topic (by name, so it stays put as rows come and go) and whether its detail is open. */
	catalog: {selected: number; open: boolean};
	focus: PaneId;
	overlay: Overlay;
	filters: Record<PaneId, string>;
	/** Selected row per pane (topics: topic index, deferred: local actor index). */
	selection: Record<PaneId, number>;
	log: {follow: boolean; wrap: boolean; fromBottom: number; pausedAtTotal: number};
};

export type NamedQueue = {name: string; counts: {scheduled: number; ready: number; inflight: number; dead: number}; /** Redis ms the earliest scheduled event is due (none scheduled: undefined). */ nextDueAt?: number};

export type DashboardState = {
	topics: TopicRow[];
	stages: Stage[];
	/** ms the oldest ready event has waited; undefined when none or unknown. */
	oldestReadyMs?: number;
	/** The named deferred queues (--queue, ?queue=) with their stage counts; the default queue is `stages`. */
	namedQueues?: NamedQueue[];
	scheduled: DeferredEvent[];
	inflight: DeferredEvent[];
	counters: {done: number; retried: number; dead: number; enqueued: number};
	actors: LocalActor[];
	status: Status;
	/** Bumped whenever log lines arrive or are cleared. */
	logVersion: number;
	lab: LabState;
	/** The event portal's catalog as the catalog feed last read it (feed/catalog.ts). */
	catalog: CatalogState;
	/** The Events view: a topic's events, one whole, a trace, groups, deferred events (feed/browser.ts). */
	browse: BrowseState;
	/** The event mesh as the mesh feed last read it (feed/mesh.ts); enabled by --mesh or a topology. */
	mesh: MeshState;
	ui: Ui;
};
