// The order flow as data: which service reacts to which event and what it may
// answer. Nobody orchestrates: each service only knows its own reactions.
import {labTopicPrefix} from '../keys.js';

export const services = ['orders', 'payments', 'inventory', 'shipping', 'notifications'] as const;
export type ServiceName = (typeof services)[number];

export const orderEvents = [
	'orderCreated',
	'paymentAuthorized',
	'paymentDeclined',
	'stockReserved',
	'outOfStock',
	'orderShipped',
	'shipmentFailed',
	'paymentRefunded',
	'stockReleased',
	'orderCancelled',
	'customerNotified',
] as const;
export type OrderEvent = (typeof orderEvents)[number];

/** Who emits each event: the swimlane it is drawn in. */
export const emitter: Record<OrderEvent, ServiceName> = {
	orderCreated: 'orders',
	paymentAuthorized: 'payments',
	paymentDeclined: 'payments',
	stockReserved: 'inventory',
	outOfStock: 'inventory',
	orderShipped: 'shipping',
	shipmentFailed: 'shipping',
	paymentRefunded: 'payments',
	stockReleased: 'inventory',
	orderCancelled: 'orders',
	customerNotified: 'notifications',
};

/** What each service listens to. */
export const subscriptions: Record<ServiceName, OrderEvent[]> = {
	orders: ['paymentDeclined', 'paymentRefunded', 'orderShipped'],
	payments: ['orderCreated', 'outOfStock', 'shipmentFailed'],
	inventory: ['paymentAuthorized', 'shipmentFailed'],
	shipping: ['stockReserved'],
	notifications: ['orderShipped', 'orderCancelled'],
};

/** Services with a failure knob, and the event their failure produces. */
export const failingServices = ['payments', 'inventory', 'shipping'] as const;
export type FailingService = (typeof failingServices)[number];

export const ordersTopicPrefix = `${labTopicPrefix}orders.`;

export function topicOf(event: OrderEvent): string {
	return `${ordersTopicPrefix}${event}`;
}

export function groupOf(service: ServiceName): string {
	return `${labTopicPrefix}orders.${service}`;
}

export function sourceOf(service: ServiceName): string {
	return `eda/lab/orders/${service}`;
}
