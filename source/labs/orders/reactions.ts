// Each service's reactions. A reaction records the service's decision on the
// order in one script, then names the event it answers with; a repeat of the
// same cause gets the same decision, so redelivery is harmless.
import type {Redis} from 'ioredis';
import type {FailingService, OrderEvent, ServiceName} from './flow.js';
import {transition} from './scripts.js';

export type OrderData = {orderId: string; amount: number; customer?: string; reason?: string};

export type ReactionContext = {
	redis: Redis;
	order: OrderData;
	/** Draws whether this service fails this order (the knob). */
	fails: (service: FailingService) => boolean;
};

export type Answer = {type: OrderEvent; data: Record<string, unknown>; changed: boolean};

type Reaction = (ctx: ReactionContext) => Promise<Answer | undefined>;

const answer = (type: OrderEvent, changed: boolean, order: OrderData, extra: Record<string, unknown> = {}): Answer => ({
	type,
	changed,
	data: {orderId: order.orderId, amount: order.amount, ...extra},
});

async function refund(ctx: ReactionContext, because: string): Promise<Answer | undefined> {
	const result = await transition(ctx.redis, ctx.order.orderId, {field: 'payment', from: 'authorized', to: 'refunded', counter: 'refunded', amount: '@paymentAmount'});
	// Nothing was taken (declined, or never charged): nothing to give back.
	if (result.value !== 'refunded') return undefined;
	return {type: 'paymentRefunded', changed: result.changed, data: {orderId: ctx.order.orderId, amount: result.amount, reason: because}};
}

async function cancel(ctx: ReactionContext, reason: string): Promise<Answer | undefined> {
	const result = await transition(ctx.redis, ctx.order.orderId, {field: 'terminal', to: 'cancelled', counter: 'cancelled', conflictCounter: 'violations'});
	if (result.value !== 'cancelled') return undefined;
	return answer('orderCancelled', result.changed, ctx.order, {reason});
}

export const reactions: Record<ServiceName, Partial<Record<OrderEvent, Reaction>>> = {
	payments: {
		async orderCreated(ctx) {
			const declined = ctx.fails('payments');
			const result = await transition(ctx.redis, ctx.order.orderId, {
				field: 'payment',
				to: declined ? 'declined' : 'authorized',
				counter: declined ? '' : 'taken',
				amount: ctx.order.amount,
				set: {paymentAmount: ctx.order.amount},
			});
			if (result.value === 'authorized') return answer('paymentAuthorized', result.changed, ctx.order);
			return answer('paymentDeclined', result.changed, ctx.order, {reason: 'card declined'});
		},
		outOfStock: (ctx) => refund(ctx, 'out of stock'),
		shipmentFailed: (ctx) => refund(ctx, 'shipment failed'),
	},
	inventory: {
		async paymentAuthorized(ctx) {
			const out = ctx.fails('inventory');
			const result = await transition(ctx.redis, ctx.order.orderId, {field: 'stock', to: out ? 'out' : 'reserved', counter: out ? '' : 'reserved'});
			if (result.value === 'reserved') return answer('stockReserved', result.changed, ctx.order);
			return answer('outOfStock', result.changed, ctx.order, {reason: 'no stock left'});
		},
		async shipmentFailed(ctx) {
			const result = await transition(ctx.redis, ctx.order.orderId, {field: 'stock', from: 'reserved', to: 'released', counter: 'released'});
			if (result.value !== 'released') return undefined;
			return answer('stockReleased', result.changed, ctx.order);
		},
	},
	shipping: {
		async stockReserved(ctx) {
			const failed = ctx.fails('shipping');
			const result = await transition(ctx.redis, ctx.order.orderId, {field: 'shipment', to: failed ? 'failed' : 'shipped'});
			if (result.value === 'shipped') return answer('orderShipped', result.changed, ctx.order, {carrier: 'lab-post'});
			return answer('shipmentFailed', result.changed, ctx.order, {reason: 'carrier refused'});
		},
	},
	orders: {
		paymentDeclined: (ctx) => cancel(ctx, 'payment declined'),
		paymentRefunded: (ctx) => cancel(ctx, `refunded: ${ctx.order.reason ?? 'compensation'}`),
		async orderShipped(ctx) {
			// The order's own record of its end; the event itself is shipping's.
			await transition(ctx.redis, ctx.order.orderId, {field: 'terminal', to: 'shipped', counter: 'shipped', conflictCounter: 'violations'});
			return undefined;
		},
	},
	notifications: {
		async orderShipped(ctx) {
			const result = await transition(ctx.redis, ctx.order.orderId, {field: 'notified', to: 'shipped', counter: 'notified'});
			return result.value === 'shipped' ? answer('customerNotified', result.changed, ctx.order, {about: 'shipped'}) : undefined;
		},
		async orderCancelled(ctx) {
			const result = await transition(ctx.redis, ctx.order.orderId, {field: 'notified', to: 'cancelled', counter: 'notified'});
			return result.value === 'cancelled' ? answer('customerNotified', result.changed, ctx.order, {about: 'cancelled'}) : undefined;
		},
	},
};

/** The order an event is about, or why it is not one. */
export function orderData(data: Record<string, unknown> | undefined): OrderData | string {
	if (!data) return 'the data is not a JSON object';
	const {orderId, amount} = data;
	if (typeof orderId !== 'string' || !/^[A-Za-z0-9._:-]{1,100}$/.test(orderId)) return 'orderId must be a string of letters, digits and . _ - : (1 to 100)';
	if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0 || amount > 1e12) return 'amount must be a whole number of cents, 0 or more';
	return {
		orderId,
		amount,
		...(typeof data['customer'] === 'string' ? {customer: data['customer']} : {}),
		...(typeof data['reason'] === 'string' ? {reason: data['reason']} : {}),
	};
}
