// The portal lab: a producer whose events change shape while a consumer group
// reads them; the portal watcher infers each new version and says which
// compatibility it breaks; r registers the inferred shape and turns
// enforcement on, and the next breaking event is answered 422. Every event
// goes through the producer's POST /topics/<topic>, as curl would, so the 422
// is the real one.
import {GroupConsumer} from '../../actors/group-consumer.js';
import {describeError} from '../../errors.js';
import {readCatalog} from '../../portal/catalog.js';
import {registerSchema} from '../../portal/registry.js';
import {PortalWatcher} from '../../portal/watcher.js';
import {jsonObject} from '../events.js';
import type {LabRoute} from '../http.js';
import {labTopicPrefix} from '../keys.js';
import {LabBase, Ticker, type LabAction, type LabOptions} from '../lab.js';
import {groupStates} from '../streams.js';
import {portalExplanation, portalTitle} from './explain.js';
import {eventOf, shapeTexts} from './shapes.js';
import type {PortalLabSnapshot, PortalVersionRow, Shape} from './snapshot.js';

export const portalTopic = `${labTopicPrefix}portal.orders`;
export const portalGroup = 'lab-portal-readers';

export type PortalLabOptions = LabOptions & {
	/** Events a second (default 2). */
	rate?: number;
	/** Step to the next shape this often; 0 = only on demand (v). */
	stepMs?: number;
};

/** + added, - removed, ~ anything else changed: the same markers as the Catalog view. */
function marker(kind: string): string {
	return /added|opened/.test(kind) ? '+' : /removed|closed/.test(kind) ? '-' : '~';
}

export class PortalLab extends LabBase {
	readonly name = 'portal' as const;
	readonly title = portalTitle;
	private shape: Shape = 1;
	private n = 0;
	private sent = 0;
	private stored = 0;
	private refused = 0;
	private read = 0;
	private missingAmount = 0;
	private lastRefusal: string | undefined;
	private registerError: string | undefined;
	private declared: PortalLabSnapshot['declared'];
	private ticker: Ticker | undefined;
	private consumer: GroupConsumer | undefined;
	private watcher: PortalWatcher | undefined;
	private stepTimer: NodeJS.Timeout | undefined;

	constructor(private readonly labOptions: PortalLabOptions) {
		super(labOptions);
		// The lab's usage, as GET / answers it.
		this.router.get('/portal', (req, res) => {
			res.type('text/plain').send(this.usage(req));
		});
		this.router.post('/portal/step', (_req, res) => {
			res.json({shape: this.step()});
		});
		this.router.post('/portal/register', async (_req, res) => {
			const result = await this.register();
			res.status(result.ok ? 200 : 409).json(result);
		});
	}

	get currentShape(): Shape {
		return this.shape;
	}

	/** The lab's routes, listed with curl lines by GET / (and GET /portal). */
	routes(): LabRoute[] {
		return [
			{method: 'POST', path: `/topics/${portalTopic}`, does: 'an order in any shape (the producer checks it once a schema is declared)', body: '{"orderId": "mine", "total": "9.99"}'},
			{method: 'POST', path: '/portal/step', does: 'the producer moves to its next shape'},
			{method: 'POST', path: '/portal/register', does: 'declare the current inferred shape, enforced'},
			{method: 'GET', path: `/schemas/${portalTopic}`, does: 'the declared versions'},
		];
	}

	/** The producer's next shape (it stays at the last). */
	step(): Shape {
		if (this.shape < 3) {
			this.shape = (this.shape + 1) as Shape;
			this.emit('lab:portal', `The producer now sends ${shapeTexts[this.shape]}`, {event: 'shape', shape: this.shape});
		}
		return this.shape;
	}

	/** Posts one event of the current shape through the producer; a 422 is counted and kept for the screen. */
	async send(): Promise<number> {
		const n = ++this.n;
		this.sent++;
		const res = await fetch(`${this.url}/topics/${portalTopic}`, {
			method: 'POST',
			headers: {'content-type': 'application/json', 'ce-source': 'lab-portal-producer', ...this.producerHeaders},
			body: JSON.stringify(eventOf(this.shape, n)),
		});
		const answer = (await res.json().catch(() => ({}))) as {error?: string};
		if (res.ok) this.stored++;
		else if (res.status === 422) {
			this.refused++;
			this.lastRefusal = `422 ${answer.error ?? ''}`;
			// The first refusal, then one in ten: the producer keeps trying at its rate.
			if (this.refused % 10 === 1) this.emit('lab:portal', `POST answered ${this.lastRefusal}`, {event: 'refused', status: 422, refused: this.refused});
		}
		return res.status;
	}

	/** Declares the inferred shape of the topic now, enforced, backward compatible with what was declared before. */
	async register(): Promise<{ok: true; version: number} | {ok: false; error: string}> {
		try {
			const [entry] = (await readCatalog(this.client, [portalTopic])).filter((e) => e.type === undefined);
			if (!entry) return this.refuseRegistration('nothing inferred yet: wait for the portal to see an event');
			const result = await registerSchema(this.client, portalTopic, entry.schema, {compat: 'backward', mode: 'enforce'});
			if (!result.ok) {
				const why = result.reason === 'invalid' ? result.error : `breaks ${result.compat.toUpperCase()} against v${result.previous.version}: ${result.breaks.map((b) => `${b.path} ${b.kind}`).join(', ')}`;
				return this.refuseRegistration(why);
			}
			this.registerError = undefined;
			this.declared = {version: result.declared.version, mode: result.declared.mode, compat: result.declared.compat};
			this.emit('lab:portal', `Registered the inferred shape as v${result.declared.version} of ${portalTopic}, enforced: the producer checks every event now`, {event: 'registered', version: result.declared.version});
			return {ok: true, version: result.declared.version};
		} catch (error) {
			return this.refuseRegistration(describeError(error));
		}
	}

	private refuseRegistration(error: string): {ok: false; error: string} {
		this.registerError = error;
		this.emit('lab:portal', `Not registered: ${error}`, {event: 'register-refused', error});
		return {ok: false, error};
	}

	protected async startActors(): Promise<void> {
		// The lab runs its own watcher: headless nobody else may. Where another runs (the dashboard's), the lease picks one writer.
		this.watcher = new PortalWatcher({session: this.options.session, output: this.options.output, discoverMs: 500});
		await this.watcher.start();
		this.consumer = new GroupConsumer({
			session: this.options.session,
			topic: portalTopic,
			group: portalGroup,
			output: this.options.output,
			kind: 'lab',
			quiet: true,
			fromStart: true,
			handler: (envelope) => {
				this.read++;
				// This reader was written for v1: it needs amount as a number.
				if (typeof jsonObject(envelope.data)?.['amount'] !== 'number') this.missingAmount++;
			},
		});
		await this.consumer.start();
		this.ticker = new Ticker(this.labOptions.rate ?? 2, async () => {
			await this.send();
		});
		this.ticker.start();
		const every = this.labOptions.stepMs ?? 0;
		if (every > 0) this.stepTimer = setInterval(() => this.step(), every);
		this.emit('lab:portal', `Portal lab running on ${this.url}: ${shapeTexts[1]} on ${portalTopic}; GET ${this.url}/portal lists its routes`, {event: 'started', url: this.url});
	}

	protected async stopActors(): Promise<void> {
		if (this.stepTimer) clearInterval(this.stepTimer);
		this.ticker?.stop();
		await Promise.allSettled([this.consumer?.stop(), this.watcher?.stop()]);
	}

	async snapshot(): Promise<PortalLabSnapshot> {
		const [entries, groups, [seconds]] = await Promise.all([
			readCatalog(this.client, [portalTopic]),
			groupStates(this.client, [{topic: portalTopic, group: portalGroup}]),
			this.client.time(),
		]);
		const entry = entries.find((e) => e.type === undefined);
		const versions: PortalVersionRow[] = (entry?.versions ?? []).map((v) => ({
			version: v.version,
			at: v.at,
			changes: v.changes.map((c) => `${marker(c.kind)} ${c.path} ${c.kind}`),
			breaks: [...new Set(v.breaks.map((b) => b.direction))],
			...(v.breaks[0] ? {why: `${v.breaks[0].path}: ${v.breaks[0].why}`} : {}),
		}));
		const group = groups[0];
		return {
			lab: 'portal',
			title: this.title,
			explanation: portalExplanation,
			now: Number(seconds) * 1000,
			url: this.url,
			topic: portalTopic,
			shape: this.shape,
			shapeText: shapeTexts[this.shape],
			sent: this.sent,
			stored: this.stored,
			refused: this.refused,
			...(this.lastRefusal ? {lastRefusal: this.lastRefusal} : {}),
			...(this.declared ? {declared: this.declared} : {}),
			...(this.registerError ? {registerError: this.registerError} : {}),
			versions,
			consumer: {group: portalGroup, read: this.read, missingAmount: this.missingAmount, ...(group?.exists ? {lag: group.lag} : {})},
			actions: this.actions().map(({key, label}) => ({key, label})),
		};
	}

	actions(): LabAction[] {
		return [
			{key: 'v', label: 'next shape now', run: () => void this.step()},
			{key: 'r', label: 'register the current shape, enforce it', run: () => void this.register()},
		];
	}
}
