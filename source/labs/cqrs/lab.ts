// The CQRS lab: commands through the write-side script, a projector group of
// replicas building the read model, queries that read only that model, and
// the two classic consumer-group mistakes running beside it.
import {randomBytes, randomUUID} from 'node:crypto';
import os from 'node:os';
import {GroupConsumer} from '../../actors/group-consumer.js';
import {sleep} from '../../actors/stream-reader.js';
import {describeError} from '../../errors.js';
import {SchemaRefused} from '../../portal/enforce.js';
import type {Envelope} from '../../topics/envelope.js';
import {entryMs} from '../events.js';
import {HttpError, jsonBody, sendError, type LabRoute} from '../http.js';
import {labKeys, labTopicPrefix} from '../keys.js';
import {LabBase, Ticker, type LabAction, type LabOptions} from '../lab.js';
import {groupStates, oldestOwedMs} from '../streams.js';
import {duration} from '../../text/index.js';
import {cqrsExplanation, cqrsTitle} from './explain.js';
import {commandHelp, commandNames, cqrsSource, cqrsTopic, orderEventData, validateCommand, type CommandName, type OrderState, type OrderStatus} from './model.js';
import {applyEvent, executeCommand, type Executed} from './scripts.js';
import type {CqrsCounters, CqrsSnapshot, EntityRow, ProbeResult, ReplicaRow} from './snapshot.js';

export const projectorGroup = `${labTopicPrefix}cqrs.projector`;
export const noGroupPrefix = `${labTopicPrefix}cqrs.mistake.own-group`;
export const sharedGroup = `${labTopicPrefix}cqrs.mistake.shared`;
export const maxReplicas = 8;

export type CqrsLabOptions = LabOptions & {
	/** Commands a second from the built-in load; 0 for none. */
	rate?: number;
	/** Each event reaches the read model no sooner than this after it was written. */
	projectionDelayMs?: number;
	/** Query-side replicas in the projector group. */
	replicas?: number;
	/** Run the two mistakes beside the real projector; default true. */
	mistakes?: boolean;
	claimIdleMs?: number;
	/** Rows in the entity table. */
	shownEntities?: number;
	/** Run the read-your-writes probe this often (headless); 0 = only on demand. */
	probeEveryMs?: number;
};

const delaySteps = [0, 500, 2000, 5000];
const rateSteps = [0, 0.5, 1, 2, 5, 10, 20, 50];

type Replica = {name: string; consumer: GroupConsumer};
type Known = {orderId: string; status: OrderStatus; version: number};

export class CqrsLab extends LabBase {
	readonly name = 'cqrs' as const;
	readonly title = cqrsTitle;
	private readonly replicas: Replica[] = [];
	private readonly mistakes: {noGroup: Replica[]; shared: Replica[]} = {noGroup: [], shared: []};
	private readonly ticker: Ticker;
	private delayMs: number;
	private known: Known[] = [];
	private eventsAtStart = 0;
	private lastProbe: ProbeResult | undefined;
	private probing = false;
	private probeTimer: NodeJS.Timeout | undefined;
	private nextReplica = 1;

	constructor(private readonly labOptions: CqrsLabOptions) {
		super(labOptions);
		this.delayMs = labOptions.projectionDelayMs ?? 0;
		this.ticker = new Ticker(labOptions.rate ?? 1, () => this.randomCommand());
		this.mountRoutes();
	}

	get rate(): number {
		return this.ticker.rate;
	}

	get projectionDelayMs(): number {
		return this.delayMs;
	}

	get replicaCount(): number {
		return this.replicas.length;
	}

	setRate(perSecond: number): void {
		this.ticker.setRate(perSecond);
		this.emit('lab:cqrs', `Command rate now ${perSecond}/s`, {event: 'knob', rate: perSecond});
	}

	setProjectionDelay(ms: number): void {
		this.delayMs = Math.max(0, ms);
		this.emit('lab:cqrs', `Projection delay now ${duration(this.delayMs)}`, {event: 'knob', projectionDelayMs: this.delayMs});
	}

	/** Runs one command the way POST /commands/:name does. */
	async command(name: string, body: Record<string, unknown>): Promise<Executed> {
		const command = validateCommand(name, body, () => `ord-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`);
		try {
			const done = await executeCommand(this.client, command, {id: randomUUID(), source: cqrsSource, time: new Date(this.clock.now()).toISOString()});
			this.remember(done.orderId, command.to, done.version);
			const flagged = done.warnings ? ` (stored though it fails the declared schema of ${cqrsTopic}: ${done.warnings[0]?.failures[0]?.path ?? '/'} ${done.warnings[0]?.failures[0]?.message ?? ''})` : '';
			this.emit('lab:cqrs:commands', `command  ${name.padEnd(11)} ${done.orderId} → v${done.version} (${command.event})${flagged}`, {
				event: 'command',
				command: name,
				orderId: done.orderId,
				version: done.version,
				entry: done.entryId,
				...(done.warnings ? {warnings: done.warnings} : {}),
			});
			return done;
		} catch (error) {
			if (error instanceof HttpError || error instanceof SchemaRefused) {
				this.emit('lab:cqrs:commands', `command  ${name.padEnd(11)} ${command.orderId} refused: ${error.message}`, {event: 'refused', command: name, orderId: command.orderId, status: error.status, error: error.message});
			}
			throw error;
		}
	}

	async addReplica(): Promise<void> {
		if (this.replicas.length >= maxReplicas) return;
		const name = `replica-${this.nextReplica++}`;
		const consumer = new GroupConsumer({
			session: this.options.session,
			topic: cqrsTopic,
			group: projectorGroup,
			consumer: `${os.hostname()}-${process.pid}-${name}`,
			output: this.options.output,
			kind: 'lab',
			quiet: true,
			fromStart: true,
			claimIdleMs: this.labOptions.claimIdleMs ?? 3000,
			handler: (envelope, entryId) => this.project(envelope, entryId, name),
		});
		this.replicas.push({name, consumer});
		await consumer.start();
		this.emit('lab:cqrs', `Query side: ${this.replicas.length} replica(s) in group ${projectorGroup}`, {event: 'replicas', replicas: this.replicas.length});
	}

	async removeReplica(): Promise<void> {
		const last = this.replicas.pop();
		if (!last) return;
		await last.consumer.stop();
		this.emit('lab:cqrs', `Query side: ${this.replicas.length} replica(s) in group ${projectorGroup}`, {event: 'replicas', replicas: this.replicas.length});
	}

	/**
	 * Read-your-writes: sends a command through the producer, then asks the
	 * query side at once and again until the new version shows.
	 */
	async probe(timeoutMs = 60_000): Promise<ProbeResult> {
		if (!this.url) throw new Error('the lab has no producer');
		this.probing = true;
		try {
			const started = performance.now();
			const res = await fetch(`${this.url}/commands/placeOrder`, {
				method: 'POST',
				headers: {'content-type': 'application/json', ...this.producerHeaders},
				body: JSON.stringify({customer: 'probe', items: [{sku: 'probe', qty: 1, price: 100}]}),
			});
			if (res.status !== 202) throw new Error(`placeOrder answered ${res.status}`);
			const {orderId, version} = (await res.json()) as {orderId: string; version: number};
			let staleReads = 0;
			let firstRead = '';
			for (;;) {
				const query = await fetch(`${this.url}/queries/orders/${encodeURIComponent(orderId)}`, {headers: this.producerHeaders});
				const body = (await query.json()) as {version?: number};
				const seen = query.status === 200 ? (body.version ?? 0) : 0;
				if (firstRead === '') firstRead = query.status === 200 ? `v${seen}` : String(query.status);
				if (seen >= version) break;
				staleReads++;
				if (performance.now() - started > timeoutMs || this.isStopped) throw new Error('the read side did not catch up in time');
				await sleep(10);
			}
			const result: ProbeResult = {visibleAfterMs: Math.round(performance.now() - started), staleReads, firstRead, orderId, version, at: this.clock.now()};
			this.lastProbe = result;
			this.emit('lab:cqrs:probe', `read-your-writes: ${orderId} v${version} visible to queries after ${duration(result.visibleAfterMs)} (first GET: ${firstRead}; ${staleReads} stale read(s) before)`, {
				event: 'probe',
				...result,
			});
			return result;
		} finally {
			this.probing = false;
		}
	}

	protected async startActors(): Promise<void> {
		this.eventsAtStart = Number((await this.client.hget(labKeys.cqrs.stats, 'events')) ?? 0);
		const count = Math.max(0, Math.min(maxReplicas, this.labOptions.replicas ?? 2));
		for (let i = 0; i < count; i++) await this.addReplica();
		if (this.labOptions.mistakes !== false) {
			for (const name of ['copy-1', 'copy-2']) {
				this.mistakes.noGroup.push({name, consumer: this.counter(`${noGroupPrefix}.${name}`, name)});
			}
			for (const name of ['projector', 'mailer']) this.mistakes.shared.push({name, consumer: this.counter(sharedGroup, name)});
			await Promise.all([...this.mistakes.noGroup, ...this.mistakes.shared].map((m) => m.consumer.start()));
		}
		this.emit('lab:cqrs', `CQRS lab running: commands at ${this.rate}/s, projection delay ${duration(this.delayMs)}; POST ${this.url}/commands/placeOrder, GET ${this.url}/queries/orders/:id`, {
			event: 'started',
			url: this.url,
		});
		this.ticker.start();
		const every = this.labOptions.probeEveryMs ?? 0;
		if (every > 0) {
			this.probeTimer = setInterval(() => {
				if (!this.probing) this.probe().catch((error: unknown) => this.emit('lab:cqrs:probe', `read-your-writes probe failed: ${describeError(error)}`, {event: 'probe-failed', error: describeError(error)}));
			}, every);
		}
	}

	protected async stopActors(): Promise<void> {
		this.ticker.stop();
		if (this.probeTimer) clearInterval(this.probeTimer);
		const all = [...this.replicas, ...this.mistakes.noGroup, ...this.mistakes.shared];
		this.replicas.length = 0;
		await Promise.allSettled(all.map((m) => m.consumer.stop()));
	}

	/** A member that only counts what reaches it (the mistakes need no side effects to show). */
	private counter(group: string, name: string): GroupConsumer {
		return new GroupConsumer({
			session: this.options.session,
			topic: cqrsTopic,
			group,
			consumer: `${os.hostname()}-${process.pid}-${name}`,
			output: this.options.output,
			kind: 'lab',
			quiet: true,
			claimIdleMs: this.labOptions.claimIdleMs ?? 3000,
			handler: () => undefined,
		});
	}

	private async project(envelope: Envelope, entryId: string, replica: string): Promise<void> {
		const data = orderEventData(envelope.data);
		if (!data) return; // not one of ours: acknowledged and left alone
		const writtenAt = entryMs(entryId);
		for (;;) {
			const left = writtenAt + this.delayMs - this.clock.now();
			if (left <= 0) break;
			if (this.isStopped) throw new Error('stopping');
			await sleep(Math.min(left, 100));
		}
		const applied = await applyEvent(this.client, projectorGroup, {
			id: envelope.id,
			orderId: data.orderId,
			version: data.version,
			state: JSON.stringify(data.state),
			writtenAt,
			placedAt: data.state.placedAt,
			replica,
		});
		const what = applied.outcome === 'applied' ? `read model now v${data.version} (${duration(applied.convergeMs)} after the write)` : applied.outcome === 'old' ? `skipped: read model already at v${applied.current}` : 'skipped: seen before';
		this.emit(`lab:cqrs:${replica}`, `${replica.padEnd(9)} ${data.orderId} v${data.version} ${data.event}: ${what}`, {
			event: 'projected',
			replica,
			orderId: data.orderId,
			version: data.version,
			id: envelope.id,
			outcome: applied.outcome,
			...(applied.outcome === 'applied' ? {convergeMs: applied.convergeMs} : {}),
		});
	}

	private remember(orderId: string, status: OrderStatus, version: number): void {
		const found = this.known.find((k) => k.orderId === orderId);
		if (found) Object.assign(found, {status, version});
		else this.known.push({orderId, status, version});
		this.known = this.known.filter((k) => k.status === 'placed' || k.status === 'paid').slice(-200);
	}

	/** The built-in load: mostly new orders, then payments, shipments and a few cancellations. */
	private async randomCommand(): Promise<void> {
		const open = this.known;
		const pick = open[Math.floor(Math.random() * open.length)];
		const roll = Math.random();
		try {
			if (!pick || open.length < 3 || roll < 0.4) {
				const items = Array.from({length: 1 + Math.floor(Math.random() * 3)}, (_, i) => ({sku: `sku-${i + 1 + Math.floor(Math.random() * 20)}`, qty: 1 + Math.floor(Math.random() * 3), price: 250 * (1 + Math.floor(Math.random() * 40))}));
				await this.command('placeOrder', {customer: `customer-${1 + Math.floor(Math.random() * 50)}`, items});
			} else if (pick.status === 'placed') {
				await this.command(roll < 0.85 ? 'payOrder' : 'cancelOrder', {orderId: pick.orderId, expectedVersion: pick.version});
			} else {
				await this.command(roll < 0.85 ? 'shipOrder' : 'cancelOrder', {orderId: pick.orderId, expectedVersion: pick.version});
			}
		} catch (error) {
			if (!(error instanceof HttpError || error instanceof SchemaRefused)) throw error;
			// A refused command (someone else changed the order, or a declared schema its event fails) is part of the show.
			if (pick && error.status === 409) this.known = this.known.filter((k) => k !== pick);
		}
	}

	async counters(): Promise<CqrsCounters> {
		const raw = await this.client.hgetall(labKeys.cqrs.stats);
		const n = (name: string) => Number(raw[name] ?? 0);
		return {commands: n('events') + n('rejected'), rejected: n('rejected'), events: n('events'), applied: n('applied'), skipped: n('skipped'), duplicates: n('duplicates')};
	}

	/** Events the projector group still owes, and the age of the oldest (Redis ms). */
	async lag(): Promise<{count: number; ms: number}> {
		const [state] = await groupStates(this.client, [{topic: cqrsTopic, group: projectorGroup}]);
		if (!state) return {count: 0, ms: 0};
		const oldest = await oldestOwedMs(this.client, state);
		return {count: state.lag + state.pending, ms: oldest === undefined ? 0 : Math.max(0, this.clock.now() - oldest)};
	}

	async entities(limit: number): Promise<EntityRow[]> {
		const ids = await this.client.zrevrange(labKeys.cqrs.writeIndex, 0, limit - 1);
		if (ids.length === 0) return [];
		const pipeline = this.client.pipeline();
		for (const id of ids) {
			pipeline.hmget(labKeys.cqrs.write(id), 'state', 'version', 'changedAt');
			pipeline.hmget(labKeys.cqrs.read(id), 'version', 'writtenAt', 'appliedAt');
		}
		const replies = (await pipeline.exec()) ?? [];
		const now = this.clock.now();
		const rows: EntityRow[] = [];
		ids.forEach((orderId, i) => {
			const [stateRaw, version, changedAt] = (replies[i * 2]?.[1] as (string | null)[] | undefined) ?? [];
			const [readVersion, writtenAt, appliedAt] = (replies[i * 2 + 1]?.[1] as (string | null)[] | undefined) ?? [];
			if (!stateRaw) return;
			let state: OrderState;
			try {
				state = JSON.parse(stateRaw) as OrderState;
			} catch {
				return;
			}
			const w = Number(version ?? 0);
			const r = Number(readVersion ?? 0);
			const stale = r < w;
			rows.push({
				orderId,
				status: state.status,
				customer: state.customer,
				total: state.total,
				writeVersion: w,
				readVersion: r,
				stale,
				...(stale ? {staleForMs: Math.max(0, now - Number(changedAt ?? now))} : appliedAt && writtenAt ? {convergeMs: Math.max(0, Number(appliedAt) - Number(writtenAt))} : {}),
			});
		});
		return rows;
	}

	async snapshot(): Promise<CqrsSnapshot> {
		const [lag, entities, counters] = await Promise.all([this.lag(), this.entities(this.labOptions.shownEntities ?? 10), this.counters()]);
		const rows = (list: Replica[]): ReplicaRow[] => list.map((m) => ({name: m.name, handled: m.consumer.handled}));
		return {
			lab: 'cqrs',
			title: this.title,
			explanation: cqrsExplanation,
			now: this.clock.now(),
			url: this.url,
			rate: this.rate,
			projectionDelayMs: this.delayMs,
			lag,
			entities,
			counters,
			replicas: rows(this.replicas),
			mistakes: {eventsSinceStart: Math.max(0, counters.events - this.eventsAtStart), noGroup: rows(this.mistakes.noGroup), sharedGroup: rows(this.mistakes.shared)},
			...(this.lastProbe ? {probe: this.lastProbe} : {}),
			probing: this.probing,
			actions: this.actions().map(({key, label}) => ({key, label})),
		};
	}

	actions(): LabAction[] {
		const next = (list: number[], current: number) => list[(list.findIndex((v) => v > current) + list.length) % list.length] ?? 0;
		const faster = (up: boolean) => {
			const i = rateSteps.findIndex((v) => v >= this.rate);
			const at = i < 0 ? rateSteps.length - 1 : i;
			const j = up ? (rateSteps[at] === this.rate ? at + 1 : at) : at - 1;
			return rateSteps[Math.max(0, Math.min(rateSteps.length - 1, j))] ?? this.rate;
		};
		return [
			{key: '+', label: 'add a query replica', run: () => this.addReplica()},
			{key: '-', label: 'remove a query replica', run: () => this.removeReplica()},
			{key: 'd', label: 'cycle projection delay', run: () => this.setProjectionDelay(next(delaySteps, this.delayMs))},
			{key: 'r', label: 'read-your-writes probe', run: () => void this.probe().catch(() => undefined)},
			{key: ']', label: 'more commands/s', run: () => this.setRate(faster(true))},
			{key: '[', label: 'fewer commands/s', run: () => this.setRate(faster(false))},
		];
	}

	routes(): LabRoute[] {
		return [
			{method: 'POST', path: '/commands/placeOrder', does: 'command: place an order (answers its orderId)', body: commandHelp.placeOrder},
			{method: 'POST', path: '/commands/payOrder', does: 'command: pay a placed order (expectedVersion optional: refused if the order moved on)', body: commandHelp.payOrder},
			{method: 'POST', path: '/commands/shipOrder', does: 'command: ship a paid order', body: commandHelp.shipOrder},
			{method: 'POST', path: '/commands/cancelOrder', does: 'command: cancel a placed or paid order', body: commandHelp.cancelOrder},
			{method: 'GET', path: '/queries/orders/<orderId>', does: 'query: one order from the read model (may lag the command)'},
			{method: 'GET', path: '/queries/orders?limit=50', does: 'query: the newest orders in the read model'},
		];
	}

	private mountRoutes(): void {
		this.router.post('/commands/:name', async (req, res) => {
			const name = String(req.params['name']);
			try {
				if (!(commandNames as string[]).includes(name)) {
					res.status(404).json({error: `no command "${name}"`, commands: commandHelp});
					return;
				}
				const done = await this.command(name, jsonBody(req));
				res.status(202).json({
					orderId: done.orderId,
					version: done.version,
					note: 'accepted on the write side; the read side may lag',
					query: `/queries/orders/${done.orderId}`,
					// Warn mode: stored, and the answer says how the event fails the declared schema (as POST /topics/:topic does).
					...(done.warnings ? {flagged: done.flagged, warnings: done.warnings} : {}),
				});
			} catch (error) {
				sendError(res, error, commandHelp[name as CommandName]);
			}
		});
		this.router.get('/queries/orders/:id', async (req, res) => {
			try {
				const id = String(req.params['id']);
				const [state, version, writtenAt, appliedAt, by] = await this.client.hmget(labKeys.cqrs.read(id), 'state', 'version', 'writtenAt', 'appliedAt', 'by');
				if (!state) {
					res.status(404).json({error: `order ${id} is not in the read model (yet)`});
					return;
				}
				res.setHeader('X-Read-Version', String(version));
				res.json({order: JSON.parse(state) as unknown, version: Number(version), writtenAt: Number(writtenAt), projectedAt: Number(appliedAt), projectedBy: by});
			} catch (error) {
				sendError(res, error);
			}
		});
		this.router.get('/queries/orders', async (req, res) => {
			try {
				const raw = req.query['limit'];
				const limit = raw === undefined ? 50 : Number(raw);
				if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new HttpError(400, 'limit must be a whole number from 1 to 500');
				const ids = await this.client.zrevrange(labKeys.cqrs.readIndex, 0, limit - 1);
				const pipeline = this.client.pipeline();
				for (const id of ids) pipeline.hmget(labKeys.cqrs.read(id), 'state', 'version');
				const replies = (await pipeline.exec()) ?? [];
				const orders = replies.flatMap(([, value]) => {
					const [state, version] = (value as (string | null)[] | undefined) ?? [];
					return state ? [{...(JSON.parse(state) as object), version: Number(version)}] : [];
				});
				res.json({orders, count: orders.length});
			} catch (error) {
				sendError(res, error);
			}
		});
	}
}
