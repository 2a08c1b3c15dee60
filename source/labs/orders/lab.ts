// The choreography lab: five services as in-process consumer groups, an order
// generator, and timelines read back from the streams.
import {randomBytes} from 'node:crypto';
import {GroupConsumer} from '../../actors/group-consumer.js';
import {sleep} from '../../actors/stream-reader.js';
import {publishChecked} from '../../portal/enforce.js';
import type {Envelope} from '../../topics/envelope.js';
import {answerId, jsonObject, labEvent, shortId} from '../events.js';
import {HttpError, jsonBody, sendError} from '../http.js';
import {labKeys} from '../keys.js';
import {LabBase, Ticker, type LabAction, type LabOptions} from '../lab.js';
import {groupStates} from '../streams.js';
import {ordersExplanation, ordersTitle} from './explain.js';
import {describeFailRates} from './fail-rates.js';
import {failingServices, groupOf, services, sourceOf, subscriptions, topicOf, type FailingService, type OrderEvent, type ServiceName} from './flow.js';
import {orderData, reactions} from './reactions.js';
import {transition} from './scripts.js';
import type {OrdersCounters, OrdersSnapshot, ServiceRow} from './snapshot.js';
import {readTimelines} from './timeline.js';
import {money} from '../../text/index.js';

export type OrdersLabOptions = LabOptions & {
	/** New orders a second; 0 for none (post them yourself). */
	rate?: number;
	/** Failure share for payments, inventory and shipping alike. */
	failRate?: number;
	/** Per service, overriding failRate. */
	failRates?: Partial<Record<FailingService, number>>;
	/** How long an unacknowledged event waits before another member takes it. */
	claimIdleMs?: number;
	/** Orders shown in the snapshot. */
	shownOrders?: number;
};

const failSteps = [0, 0.1, 0.25, 0.5];
const rateSteps = [0, 0.5, 1, 2, 5, 10, 20, 50];

type Member = {service: ServiceName; event: OrderEvent; consumer: GroupConsumer};

export const pauseKeys: Record<ServiceName, string> = {orders: 'O', payments: 'P', inventory: 'I', shipping: 'S', notifications: 'N'};
/** Lowercase: cycle that service's own failure rate (uppercase pauses it). */
export const failKeys: Record<FailingService, string> = {payments: 'p', inventory: 'i', shipping: 's'};

/** The step after `current` in failSteps, back to 0 after the last. */
function nextFailStep(current: number): number {
	return failSteps.find((v) => v > current + 1e-9) ?? 0;
}

export class OrdersLab extends LabBase {
	readonly name = 'orders' as const;
	readonly title = ordersTitle;
	private members: Member[] = [];
	private readonly paused = new Set<ServiceName>();
	private readonly failRates: Record<FailingService, number>;
	private readonly ticker: Ticker;
	private readonly handledBy = new Map<ServiceName, number>();

	constructor(private readonly labOptions: OrdersLabOptions) {
		super(labOptions);
		const base = labOptions.failRate ?? 0.1;
		this.failRates = {payments: base, inventory: base, shipping: base, ...labOptions.failRates};
		this.ticker = new Ticker(labOptions.rate ?? 1, () => this.placeOrder().then(() => undefined));
		this.mountRoutes();
	}

	get rate(): number {
		return this.ticker.rate;
	}

	setRate(perSecond: number): void {
		this.ticker.setRate(perSecond);
		this.emit('lab:orders', `Order rate now ${perSecond}/s`, {event: 'knob', rate: perSecond});
	}

	setFailRate(share: number, service?: FailingService): void {
		for (const name of service ? [service] : failingServices) this.failRates[name] = Math.min(1, Math.max(0, share));
		this.emit('lab:orders', `Failure rate ${service ?? 'payments, inventory, shipping'}: ${Math.round(share * 100)}%`, {event: 'knob', failRate: share, service: service ?? 'all'});
	}

	isPaused(service: ServiceName): boolean {
		return this.paused.has(service);
	}

	pause(service: ServiceName): void {
		this.paused.add(service);
		for (const m of this.members) if (m.service === service) m.consumer.pause();
		this.emit(`lab:orders:${service}`, `${service} paused: its events wait in group ${groupOf(service)}`, {event: 'paused', service});
	}

	resume(service: ServiceName): void {
		this.paused.delete(service);
		for (const m of this.members) if (m.service === service) m.consumer.resume();
		this.emit(`lab:orders:${service}`, `${service} resumed: catching up on what waited`, {event: 'resumed', service});
	}

	togglePause(service: ServiceName): void {
		if (this.paused.has(service)) this.resume(service);
		else this.pause(service);
	}

	/** Places one order the way a customer would: the orders service announces it. */
	async placeOrder(input: {amount?: number; customer?: string} = {}): Promise<{orderId: string; eventId: string}> {
		const orderId = `ord-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
		const amount = input.amount ?? 500 + Math.floor(Math.random() * 20) * 250;
		const customer = input.customer ?? `customer-${1 + Math.floor(Math.random() * 50)}`;
		const redis = this.client;
		await transition(redis, orderId, {field: 'created', to: '1', counter: 'created', set: {customer, amount}});
		const event = labEvent({topic: topicOf('orderCreated'), data: {orderId, customer, amount}, source: sourceOf('orders'), now: this.clock.now(), correlationid: orderId});
		await publishChecked(redis, topicOf('orderCreated'), [event]);
		this.emit('lab:orders:orders', `orders        ${orderId}  orderCreated  ${money(amount)} for ${customer}`, {event: 'orderCreated', orderId, amount, customer, id: event.envelope.id});
		return {orderId, eventId: event.envelope.id};
	}

	protected async startActors(): Promise<void> {
		for (const service of services) {
			for (const event of subscriptions[service]) {
				const consumer = new GroupConsumer({
					session: this.options.session,
					topic: topicOf(event),
					group: groupOf(service),
					output: this.options.output,
					kind: 'lab',
					quiet: true,
					claimIdleMs: this.labOptions.claimIdleMs ?? 5000,
					handler: (envelope) => this.react(service, event, envelope),
				});
				this.members.push({service, event, consumer});
			}
		}
		await Promise.all(this.members.map((m) => m.consumer.start()));
		this.emit('lab:orders', `Orders lab running: ${this.members.length} consumers in ${services.length} groups; orders at ${this.rate}/s; failure rates ${describeFailRates(this.failRates)}; POST ${this.url}/orders places one`, {
			event: 'started',
			url: this.url,
			rate: this.rate,
			failRates: {...this.failRates},
		});
		this.ticker.start();
	}

	protected async stopActors(): Promise<void> {
		this.ticker.stop();
		await Promise.allSettled(this.members.map((m) => m.consumer.stop()));
	}

	private async react(service: ServiceName, event: OrderEvent, envelope: Envelope): Promise<void> {
		// A read that was under way when the service paused still delivers: hold
		// those entries (pending in the group) until the service resumes.
		while (this.paused.has(service)) {
			if (this.isStopped) throw new Error('the lab stopped while the service was paused');
			await sleep(100);
		}
		const order = orderData(jsonObject(envelope.data));
		const actor = `lab:orders:${service}`;
		if (typeof order === 'string') {
			this.emit(actor, `${service.padEnd(13)} ignored ${event} ${shortId(envelope.id)}: ${order}`, {event: 'ignored', service, type: event, id: envelope.id, reason: order});
			return;
		}
		const react = reactions[service][event];
		const answer = react ? await react({redis: this.client, order, fails: (name) => Math.random() < this.failRates[name]}) : undefined;
		this.handledBy.set(service, (this.handledBy.get(service) ?? 0) + 1);
		if (!answer) return;
		const out = labEvent({
			topic: topicOf(answer.type),
			data: answer.data,
			source: sourceOf(service),
			now: this.clock.now(),
			id: answerId(envelope.id, answer.type),
			correlationid: envelope.correlationid ?? order.orderId,
			causationid: envelope.id,
		});
		await publishChecked(this.client, topicOf(answer.type), [out]);
		const amount = typeof answer.data['amount'] === 'number' && answer.type.startsWith('payment') ? `  ${money(answer.data['amount'])}` : '';
		const again = answer.changed ? '' : ' (again: a redelivered cause)';
		this.emit(actor, `${service.padEnd(13)} ${order.orderId}  ${event} → ${answer.type}${amount}${again}`, {
			event: answer.type,
			service,
			orderId: order.orderId,
			id: out.envelope.id,
			causationid: envelope.id,
			answers: event,
			amount: answer.data['amount'],
			repeated: !answer.changed,
		});
	}

	async counters(): Promise<OrdersCounters> {
		const raw = await this.client.hgetall(labKeys.orders.counters);
		const n = (name: string) => Number(raw[name] ?? 0);
		return {
			created: n('created'),
			shipped: n('shipped'),
			cancelled: n('cancelled'),
			open: Math.max(0, n('created') - n('shipped') - n('cancelled')),
			taken: n('taken'),
			refunded: n('refunded'),
			reserved: n('reserved'),
			released: n('released'),
			notified: n('notified'),
			violations: n('violations'),
		};
	}

	async snapshot(): Promise<OrdersSnapshot> {
		const wanted = services.flatMap((service) => subscriptions[service].map((event) => ({topic: topicOf(event), group: groupOf(service)})));
		const [states, counters, orders] = await Promise.all([
			groupStates(this.client, wanted),
			this.counters(),
			readTimelines(this.client, {perTopic: 300, orders: this.labOptions.shownOrders ?? 8}),
		]);
		const rows: ServiceRow[] = services.map((service) => ({
			name: service,
			paused: this.paused.has(service),
			handled: this.handledBy.get(service) ?? 0,
			waiting: states.filter((s) => s.group === groupOf(service)).reduce((sum, s) => sum + s.lag + s.pending, 0),
			...((failingServices as readonly string[]).includes(service) ? {failRate: this.failRates[service as FailingService]} : {}),
			listensTo: subscriptions[service],
		}));
		return {
			lab: 'orders',
			title: this.title,
			explanation: ordersExplanation,
			now: this.clock.now(),
			url: this.url,
			rate: this.rate,
			services: rows,
			counters,
			orders,
			actions: this.actions().map(({key, label}) => ({key, label})),
		};
	}

	actions(): LabAction[] {
		const step = (list: number[], current: number, up: boolean) => {
			const i = list.findIndex((v) => v >= current - 1e-9);
			const at = i < 0 ? list.length - 1 : i;
			return list[Math.min(list.length - 1, Math.max(0, up ? (list[at] === current ? at + 1 : at) : at - 1))] ?? current;
		};
		return [
			{key: '+', label: 'more orders/s', run: () => this.setRate(step(rateSteps, this.rate, true))},
			{key: '-', label: 'fewer orders/s', run: () => this.setRate(step(rateSteps, this.rate, false))},
			{key: 'o', label: 'one order now', run: () => void this.placeOrder().catch(() => undefined)},
			// From the highest of the three, so f never lowers a service but when it wraps to 0.
			{key: 'f', label: 'cycle all fail rates', run: () => this.setFailRate(nextFailStep(Math.max(...failingServices.map((name) => this.failRates[name]))))},
			...failingServices.map((service) => ({key: failKeys[service], label: `cycle ${service} fail rate`, run: () => this.setFailRate(nextFailStep(this.failRates[service]), service)})),
			...services.map((service) => ({key: pauseKeys[service], label: `pause/resume ${service}`, run: () => this.togglePause(service)})),
		];
	}

	private mountRoutes(): void {
		this.router.post('/orders', async (req, res) => {
			try {
				const body = req.body && Buffer.isBuffer(req.body) && req.body.length > 0 ? jsonBody(req) : {};
				const amount = body['amount'];
				const customer = body['customer'];
				if (amount !== undefined && (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 0 || amount > 1e12)) {
					throw new HttpError(400, 'amount must be a whole number of cents, 0 or more');
				}
				if (customer !== undefined && (typeof customer !== 'string' || customer.length === 0 || customer.length > 100)) {
					throw new HttpError(400, 'customer must be a string of 1 to 100 characters');
				}
				const placed = await this.placeOrder({amount: amount as number | undefined, customer: customer as string | undefined});
				res.status(202).json({...placed, correlationid: placed.orderId, timeline: `/orders/${placed.orderId}`});
			} catch (error) {
				sendError(res, error);
			}
		});
		this.router.get('/orders/:id', async (req, res) => {
			try {
				const all = await readTimelines(this.client, {perTopic: 2000});
				const found = all.find((t) => t.orderId === req.params['id']);
				if (found) res.json(found);
				else res.status(404).json({error: `no events for order ${String(req.params['id'])} in the retained streams`});
			} catch (error) {
				sendError(res, error);
			}
		});
	}
}
