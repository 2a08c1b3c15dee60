import type {LabActionHint} from '../view-model.js';
import type {OrderEvent, ServiceName} from './flow.js';

export type TimelineEvent = {
	/** The envelope id (the same event stored twice shows once). */
	id: string;
	entryId: string;
	type: string;
	lane: ServiceName | 'other';
	/** Redis ms the event was stored. */
	at: number;
	/** ms after the order's first event. */
	offsetMs: number;
	causationid?: string;
	/** The type of the event this one answers, when it is in the timeline. */
	answers?: string;
	source: string;
	amount?: number;
};

export type OrderTimeline = {
	orderId: string;
	startedAt: number;
	events: TimelineEvent[];
	/** The terminal state, when the order reached one. */
	terminal?: 'shipped' | 'cancelled';
	/** Terminal events (distinct ids): 1 when done, 0 while open; more would be a bug. */
	terminals: number;
	/** Money taken (paymentAuthorized) and given back (paymentRefunded), in cents. */
	taken: number;
	refunded: number;
	durationMs?: number;
};

export type ServiceRow = {
	name: ServiceName;
	paused: boolean;
	/** Events this process's members of the service handled. */
	handled: number;
	/** Events waiting in the service's group (lag + pending, every topic it reads). */
	waiting: number;
	failRate?: number;
	listensTo: OrderEvent[];
};

export type OrdersCounters = {
	created: number;
	shipped: number;
	cancelled: number;
	open: number;
	/** Cents. */
	taken: number;
	refunded: number;
	reserved: number;
	released: number;
	notified: number;
	/** An order that tried to end twice; always 0 unless something is wrong. */
	violations: number;
};

export type OrdersSnapshot = {
	lab: 'orders';
	title: string;
	explanation: string[];
	/** Redis ms. */
	now: number;
	url?: string;
	rate: number;
	services: ServiceRow[];
	counters: OrdersCounters;
	/** Newest first. */
	orders: OrderTimeline[];
	actions: LabActionHint[];
};
