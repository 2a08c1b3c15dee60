import type {LabActionHint} from '../view-model.js';
import type {OrderStatus} from './model.js';

export type EntityRow = {
	orderId: string;
	/** The write side's status. */
	status: OrderStatus;
	customer: string;
	total: number;
	writeVersion: number;
	/** 0 while the read model has never heard of the order. */
	readVersion: number;
	stale: boolean;
	/** Stale: for how long (since the write side changed). */
	staleForMs?: number;
	/** Converged: how long the last change took to reach the read model. */
	convergeMs?: number;
};

export type ReplicaRow = {name: string; handled: number};

export type ProbeResult = {
	/** ms from sending the command to the first query that showed it. */
	visibleAfterMs: number;
	/** Queries answered before that: 404 or an older version. */
	staleReads: number;
	/** What the very first query, sent at once, got. */
	firstRead: string;
	orderId: string;
	version: number;
	/** Redis ms. */
	at: number;
};

export type CqrsCounters = {commands: number; rejected: number; events: number; applied: number; skipped: number; duplicates: number};

export type CqrsSnapshot = {
	lab: 'cqrs';
	title: string;
	explanation: string[];
	now: number;
	url?: string;
	rate: number;
	projectionDelayMs: number;
	/** Events the projector group has not finished, and how old the oldest is. */
	lag: {count: number; ms: number};
	entities: EntityRow[];
	counters: CqrsCounters;
	/** The right way: replicas in one group; their counts add up to the events. */
	replicas: ReplicaRow[];
	mistakes: {
		/** Events written since the lab started (what one full copy would see). */
		eventsSinceStart: number;
		/** Replicas each in their own group: each handles every event. */
		noGroup: ReplicaRow[];
		/** Two different handlers sharing one group: each sees about half. */
		sharedGroup: ReplicaRow[];
	};
	probe?: ProbeResult;
	probing: boolean;
	actions: LabActionHint[];
};
