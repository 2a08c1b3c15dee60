// Each order's chain of events, read back from the lab's durable streams and
// grouped by correlationid, so events other processes stored show up too.
import type {Redis} from 'ioredis';
import {keys} from '../../redis/keys.js';
import {envelopeFromFields} from '../../topics/envelope.js';
import {entryMs, jsonObject} from '../events.js';
import {emitter, orderEvents, topicOf} from './flow.js';
import type {OrderTimeline, TimelineEvent} from './snapshot.js';

export type TimelineOptions = {
	/** Entries read from the end of each topic's stream. */
	perTopic?: number;
	/** Orders returned, newest first. */
	orders?: number;
};

/** Every order in the last `perTopic` entries of each lab topic, newest first. */
export async function readTimelines(redis: Redis, options: TimelineOptions = {}): Promise<OrderTimeline[]> {
	const perTopic = options.perTopic ?? 500;
	const pipeline = redis.pipeline();
	for (const event of orderEvents) {
		if (perTopic === Infinity) pipeline.xrange(keys.stream(topicOf(event)), '-', '+');
		else pipeline.xrevrange(keys.stream(topicOf(event)), '+', '-', 'COUNT', perTopic);
	}
	const replies = (await pipeline.exec()) ?? [];
	const byOrder = new Map<string, Map<string, TimelineEvent>>();
	for (const [at, [error, value]] of replies.entries()) {
		// The event is named by the topic it is stored on, never by its `type`: a producer may give any type.
		const type = orderEvents[at];
		if (error || !Array.isArray(value) || !type) continue;
		for (const [entryId, fields] of value as [string, string[]][]) {
			const envelope = envelopeFromFields(fields);
			const data = jsonObject(envelope.data);
			const order = envelope.correlationid ?? (typeof data?.['orderId'] === 'string' ? data['orderId'] : undefined);
			if (!order) continue;
			let events = byOrder.get(order);
			if (!events) byOrder.set(order, (events = new Map()));
			if (events.has(envelope.id)) continue;
			events.set(envelope.id, {
				id: envelope.id,
				entryId,
				type,
				lane: emitter[type],
				at: entryMs(entryId),
				offsetMs: 0,
				source: envelope.source,
				...(envelope.causationid ? {causationid: envelope.causationid} : {}),
				...(typeof data?.['amount'] === 'number' ? {amount: data['amount']} : {}),
			});
		}
	}
	const timelines: OrderTimeline[] = [];
	for (const [orderId, map] of byOrder) {
		const events = [...map.values()].sort((a, b) => compareIds(a.entryId, b.entryId));
		const first = events[0];
		if (!first) continue;
		const typeById = new Map(events.map((e) => [e.id, e.type]));
		for (const event of events) {
			event.offsetMs = event.at - first.at;
			const answers = event.causationid ? typeById.get(event.causationid) : undefined;
			if (answers) event.answers = answers;
		}
		const shipped = events.find((e) => e.type === 'orderShipped');
		const cancelled = events.find((e) => e.type === 'orderCancelled');
		const terminalEvent = shipped ?? cancelled;
		const sum = (type: string) => events.filter((e) => e.type === type).reduce((total, e) => total + (e.amount ?? 0), 0);
		timelines.push({
			orderId,
			startedAt: first.at,
			events,
			...(terminalEvent ? {terminal: shipped ? 'shipped' : 'cancelled', durationMs: terminalEvent.at - first.at} : {}),
			terminals: events.filter((e) => e.type === 'orderShipped' || e.type === 'orderCancelled').length,
			taken: sum('paymentAuthorized'),
			refunded: sum('paymentRefunded'),
		});
	}
	timelines.sort((a, b) => b.startedAt - a.startedAt || (a.orderId < b.orderId ? 1 : -1));
	return options.orders === undefined ? timelines : timelines.slice(0, options.orders);
}

/** Stream ids compare as two numbers. */
export function compareIds(a: string, b: string): number {
	const [am = 0, as = 0] = a.split('-').map(Number);
	const [bm = 0, bs = 0] = b.split('-').map(Number);
	return am - bm || as - bs;
}
