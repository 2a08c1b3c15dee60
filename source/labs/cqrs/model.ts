// The CQRS lab's orders: the commands, what each may change, and the fold
// that rebuilds an order from its events (the truth the read model must match).
import {HttpError} from '../http.js';
import {cqrsTopic} from '../keys.js';

export {cqrsTopic};
export const cqrsSource = 'eda/lab/cqrs/commands';

export type OrderStatus = 'placed' | 'paid' | 'shipped' | 'cancelled';
export type Item = {sku: string; qty: number; price: number};

export type OrderState = {
	orderId: string;
	customer: string;
	items: Item[];
	/** Cents. */
	total: number;
	status: OrderStatus;
	version: number;
	/** Redis ms. */
	placedAt: number;
	updatedAt: number;
	reason?: string;
};

/** What a stored event holds: the change, and the whole order after it. */
export type OrderEventData = {
	event: string;
	orderId: string;
	version: number;
	change: Partial<OrderState>;
	state: OrderState;
};

export type CommandName = 'placeOrder' | 'payOrder' | 'shipOrder' | 'cancelOrder';

/** A validated command, ready for the write-side script. */
export type Command = {
	name: CommandName;
	orderId: string;
	/** Statuses the order must be in; empty = it must not exist yet. */
	from: OrderStatus[];
	to: OrderStatus;
	event: string;
	/** Fields the command sets besides status, version and times. */
	patch: Record<string, unknown>;
	expectedVersion?: number;
};

export const commandNames: CommandName[] = ['placeOrder', 'payOrder', 'shipOrder', 'cancelOrder'];

export const commandHelp: Record<CommandName, string> = {
	placeOrder: '{"customer": "ada", "items": [{"sku": "book", "qty": 1, "price": 1250}]}',
	payOrder: '{"orderId": "...", "expectedVersion": 1}',
	shipOrder: '{"orderId": "...", "expectedVersion": 2}',
	cancelOrder: '{"orderId": "...", "reason": "changed my mind"}',
};

const idPattern = /^[A-Za-z0-9._:-]{1,100}$/;

function bad(message: string): never {
	throw new HttpError(400, message);
}

function wholeNumber(value: unknown, name: string, min: number, max: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) bad(`${name} must be a whole number from ${min} to ${max}`);
	return value;
}

function existing(body: Record<string, unknown>): {orderId: string; expectedVersion?: number} {
	const {orderId, expectedVersion} = body;
	if (typeof orderId !== 'string' || !idPattern.test(orderId)) bad('orderId must be a string of letters, digits and . _ - : (1 to 100)');
	if (expectedVersion === undefined) return {orderId};
	return {orderId, expectedVersion: wholeNumber(expectedVersion, 'expectedVersion', 1, 1e9)};
}

/** Checks a command's body; throws HttpError(400) naming the first problem. */
export function validateCommand(name: string, body: Record<string, unknown>, newId: () => string): Command {
	switch (name) {
		case 'placeOrder': {
			const {customer, items} = body;
			if (typeof customer !== 'string' || customer.trim() === '' || customer.length > 100) bad('customer must be a non-empty string of at most 100 characters');
			if (!Array.isArray(items) || items.length === 0 || items.length > 50) bad('items must be an array of 1 to 50 items');
			const clean: Item[] = items.map((item: unknown, i) => {
				if (typeof item !== 'object' || item === null || Array.isArray(item)) bad(`items[${i}] must be an object`);
				const {sku, qty, price} = item as Record<string, unknown>;
				if (typeof sku !== 'string' || !/^[A-Za-z0-9._-]{1,50}$/.test(sku)) bad(`items[${i}].sku must be 1 to 50 letters, digits or . _ -`);
				return {sku, qty: wholeNumber(qty, `items[${i}].qty`, 1, 1000), price: wholeNumber(price, `items[${i}].price (cents)`, 0, 1e9)};
			});
			const total = clean.reduce((sum, item) => sum + item.qty * item.price, 0);
			return {name, orderId: newId(), from: [], to: 'placed', event: 'orderPlaced', patch: {customer, items: clean, total}};
		}
		case 'payOrder':
			return {name, ...existing(body), from: ['placed'], to: 'paid', event: 'orderPaid', patch: {}};
		case 'shipOrder':
			return {name, ...existing(body), from: ['paid'], to: 'shipped', event: 'orderShipped', patch: {}};
		case 'cancelOrder': {
			const {reason} = body;
			if (reason !== undefined && (typeof reason !== 'string' || reason.length > 200)) bad('reason must be a string of at most 200 characters');
			return {name, ...existing(body), from: ['placed', 'paid'], to: 'cancelled', event: 'orderCancelled', patch: {reason: reason ?? 'cancelled by the customer'}};
		}
		default:
			throw new HttpError(404, `no command "${name}"; commands: ${commandNames.join(', ')}`);
	}
}

/**
 * Rebuilds every order from its events' changes alone, in version order: what
 * the read model must equal once the projection has caught up.
 */
export function foldEvents(events: OrderEventData[]): Map<string, OrderState> {
	const sorted = [...events].sort((a, b) => a.version - b.version);
	const orders = new Map<string, OrderState>();
	for (const event of sorted) {
		const before = orders.get(event.orderId);
		if ((before?.version ?? 0) + 1 !== event.version) continue; // a repeat, or a gap: ignored
		orders.set(event.orderId, {...(before ?? ({} as OrderState)), ...event.change});
	}
	return orders;
}

/** The event data of a stored JSON string, when it is one of ours. */
export function orderEventData(text: string): OrderEventData | undefined {
	try {
		const value = JSON.parse(text) as Partial<OrderEventData>;
		if (typeof value.orderId === 'string' && typeof value.version === 'number' && value.state && value.change) return value as OrderEventData;
	} catch {
		// not JSON: not ours
	}
	return undefined;
}
