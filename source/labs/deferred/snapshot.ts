import type {LabActionHint} from '../view-model.js';

export type DeferredMode = 'slow' | 'fast';

export type LabTask = {id: string; body: string; /** Redis ms. */ due: number};

export type LabWorkerRow = {name: string; intervalMs: number; paused: boolean; /** Redis ms. */ nextPollAt?: number; inFlight: number; handled: number};

export type BurstRow = {
	number: number;
	size: number;
	mode: DeferredMode;
	workers: number;
	/** Redis ms. */
	postedAt: number;
	lastDue: number;
	done: number;
	/** From the last task falling due to the last one done; set once all are done. */
	drainMs?: number;
};

export type DeferredLabSnapshot = {
	lab: 'deferred';
	title: string;
	explanation: string[];
	now: number;
	url?: string;
	mode: DeferredMode;
	masterPaused: boolean;
	counts: {scheduled: number; ready: number; inflight: number; dead: number};
	/** Soonest first: the countdowns. */
	scheduled: LabTask[];
	workers: LabWorkerRow[];
	bursts: BurstRow[];
	/** ms the oldest ready task has waited. */
	oldestReadyMs?: number;
	actions: LabActionHint[];
};
