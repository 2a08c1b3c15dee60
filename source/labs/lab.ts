// What every concept lab is to the command line and to the dashboard: start
// and stop, a few actions bound to keys, and a snapshot of plain data that the
// Labs view renders (and tests read).
import express from 'express';
import type {Redis} from 'ioredis';
import type {ActorOutput} from '../actors/output.js';
import {RedisClock} from '../redis/clock.js';
import type {RedisSession} from '../redis/session.js';
import {authHeaders, type ProducerAuth} from '../producer/auth.js';
import {usageText} from '../producer/app.js';
import {startProducer, type RunningProducer} from '../producer/server.js';
import {labUsage, type LabRoute} from './http.js';
import type {CqrsSnapshot} from './cqrs/snapshot.js';
import type {DeferredLabSnapshot} from './deferred/snapshot.js';
import type {OrdersSnapshot} from './orders/snapshot.js';
import type {MeshLabSnapshot} from './mesh/snapshot.js';
import type {PortalLabSnapshot} from './portal/snapshot.js';

export const labNames = ['orders', 'cqrs', 'deferred', 'portal', 'mesh'] as const;
export type LabName = (typeof labNames)[number];

export type LabSnapshot = OrdersSnapshot | CqrsSnapshot | DeferredLabSnapshot | PortalLabSnapshot | MeshLabSnapshot;

/** A key in the Labs view and what it does; the same table drives dispatch and the hints. */
export type LabAction = {key: string; label: string; run: () => void | Promise<void>};

export type LabOptions = {
	session: RedisSession;
	output: ActorOutput;
	/**
	 * The producer the lab's commands and presets go through. When given (the
	 * dashboard's own), the lab starts none: mount `labRoutes` on that producer.
	 * When absent, the lab starts its own on `port`.
	 */
	producerUrl?: string;
	port?: number;
	host?: string;
	/** The token the producer wants (sent with the lab's own requests), or --insecure for the lab's own producer. */
	auth?: ProducerAuth;
};

export interface Lab {
	readonly name: LabName;
	readonly title: string;
	/** Routes this lab answers on the producer (commands, queries). */
	readonly router: express.Router;
	/** The producer's URL once started. */
	readonly url: string | undefined;
	start(): Promise<void>;
	stop(): Promise<void>;
	actions(): LabAction[];
	/** The routes GET / lists, with example bodies. */
	routes(): LabRoute[];
	snapshot(): Promise<LabSnapshot>;
}

/**
 * Mounts the routes of whichever lab `current()` returns: for the producer a
 * lab starts itself, and for the dashboard's, where labs come and go.
 */
export function labRoutes(current: () => Lab | undefined): (app: express.Express) => void {
	return (app) => {
		app.use((req, res, next) => {
			const lab = current();
			if (lab) lab.router(req, res, next);
			else next();
		});
	};
}

/** The parts every lab shares: its own producer (or the given one), a client and Redis time. */
export abstract class LabBase implements Lab {
	abstract readonly name: LabName;
	abstract readonly title: string;
	readonly router = express.Router();
	protected readonly clock = new RedisClock();
	protected redis: Redis | undefined;
	private producer: RunningProducer | undefined;
	private producerUrl: string | undefined;
	private started = false;
	private stopped = false;

	constructor(protected readonly options: LabOptions) {
		this.producerUrl = options.producerUrl;
		// GET / is the lab's own usage (the producer mounts lab routes before its own GET /).
		this.router.get('/', (req, res) => {
			res.type('text/plain').send(this.usage(req));
		});
	}

	/** The lab's routes with a ready curl line each (the token's header too, when the producer wants one). */
	protected usage(req: express.Request): string {
		const url = this.producerUrl ?? `http://${req.headers.host ?? 'localhost'}`;
		return labUsage(`The ${this.name} lab`, this.title, this.routes(), url, usageText, this.options.auth?.token !== undefined);
	}

	get url(): string | undefined {
		return this.producerUrl;
	}

	/** Headers for the lab's own requests to the producer: its token, when it has one. */
	protected get producerHeaders(): Record<string, string> {
		return authHeaders(this.options.auth?.token);
	}

	/** The lab's client for reads and scripts. */
	protected get client(): Redis {
		if (!this.redis) throw new Error(`the ${this.name} lab is not started`);
		return this.redis;
	}

	async start(): Promise<void> {
		if (this.started) return;
		this.started = true;
		this.redis = this.options.session.connect(`eda:lab:${this.name}`);
		await this.clock.sync(this.redis);
		try {
			if (!this.producerUrl) {
				this.producer = await startProducer({
					session: this.options.session,
					output: this.options.output,
					port: this.options.port,
					host: this.options.host,
					auth: this.options.auth,
					extraRoutes: labRoutes(() => (this.stopped ? undefined : this)),
				});
				this.producerUrl = this.producer.url;
			}
			// A stop that came while the producer started (run-actors.ts stops a start
			// that waits too long) found no producer to close: close it here, start nothing.
			if (this.stopped) {
				await this.producer?.close().catch(() => undefined);
				return;
			}
			await this.startActors();
		} catch (error) {
			await this.stop();
			throw error;
		}
	}

	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		await this.stopActors().catch(() => undefined);
		await this.producer?.close().catch(() => undefined);
		this.redis?.disconnect();
	}

	protected get isStopped(): boolean {
		return this.stopped;
	}

	protected emit(actor: string, line: string, record: Record<string, unknown>): void {
		this.options.output.emit(actor, [line], {lab: this.name, ...record});
	}

	protected abstract startActors(): Promise<void>;
	protected abstract stopActors(): Promise<void>;
	abstract actions(): LabAction[];
	abstract routes(): LabRoute[];
	abstract snapshot(): Promise<LabSnapshot>;
}

/** A loop that runs `tick` about `perSecond` times a second (0 = idle); the rate can change live. */
export class Ticker {
	private timer: NodeJS.Timeout | undefined;
	private running = false;
	private credit = 0;
	private last = 0;

	constructor(
		private perSecond: number,
		private readonly tick: () => Promise<void> | void,
	) {}

	get rate(): number {
		return this.perSecond;
	}

	setRate(perSecond: number): void {
		this.perSecond = Math.max(0, perSecond);
	}

	start(): void {
		this.running = true;
		this.last = Date.now();
		this.schedule();
	}

	stop(): void {
		this.running = false;
		if (this.timer) clearTimeout(this.timer);
	}

	private schedule(): void {
		if (!this.running) return;
		this.timer = setTimeout(() => void this.fire(), 50);
	}

	private async fire(): Promise<void> {
		const now = Date.now();
		this.credit = Math.min(this.credit + ((now - this.last) / 1000) * this.perSecond, Math.max(1, this.perSecond));
		this.last = now;
		while (this.running && this.credit >= 1) {
			this.credit -= 1;
			try {
				await this.tick();
			} catch {
				// A failed tick (Redis away) is skipped; the next one tries again.
			}
		}
		this.schedule();
	}
}
