// The actors the dashboard hosts: the embedded producer, one master, N deferred
// workers, a live consumer per subscribed topic and the portal watcher. They are the very classes
// the headless commands run (startProducer, DeferredMaster, DeferredWorker,
// TopicConsumer); only their output goes to the store's log instead of stdout.
// The producer also serves the concept lab running in the Labs view (labs.ts).
import type {ActorOutput} from '../../actors/output.js';
import {TopicConsumer} from '../../actors/topic-consumer.js';
import {describeError} from '../../errors.js';
import {DeferredMaster} from '../../deferred/master.js';
import {DeferredWorker, type WorkerOptions} from '../../deferred/worker.js';
import {labRoutes} from '../../labs/lab.js';
import {PortalWatcher} from '../../portal/watcher.js';
import {authHeaders, type ProducerAuth} from '../../producer/auth.js';
import {startProducer, type RunningProducer} from '../../producer/server.js';
import type {RedisSession} from '../../redis/session.js';
import type {Controls, PublishRequest, PublishResult} from '../controls.js';
import type {LabState, LocalActor} from '../store/types.js';
import {LabHost, type LabSettings} from './labs.js';

export type RuntimeOptions = {
	session: RedisSession;
	output: ActorOutput;
	host: string;
	port: number;
	/** The producer's token or --insecure (producer/auth.ts). */
	auth?: ProducerAuth;
	maxBody?: number;
	retain?: number;
	workers: number;
	worker: WorkerOptions;
	topics: string[];
	/** Called when the screen asks to quit (q, Ctrl-C). */
	onQuit: () => void;
	/** Called whenever the set or state of local actors may have changed. */
	onChange?: () => void;
	/** Called whenever the concept lab's state or snapshot changes. */
	onLab?: (state: LabState) => void;
	/** Knobs the labs start with (their defaults otherwise). */
	labSettings?: LabSettings;
	/** How often the running lab's snapshot is read; 1 s by default. */
	labSnapshotMs?: number;
};

export const maxWorkers = 32;

export class DashboardRuntime implements Controls {
	producer: RunningProducer | undefined;
	master: DeferredMaster | undefined;
	readonly workers: DeferredWorker[] = [];
	readonly consumers = new Map<string, TopicConsumer>();
	/** Keeps the portal's inferred catalog (one writer among all that run it). */
	portal: PortalWatcher | undefined;
	/** Short labels for the log, by actor name. */
	readonly labels = new Map<string, string>();
	/** The concept lab of the Labs view, on this producer. */
	readonly labs: LabHost;
	private workerSeq = 0;
	private stopping: Promise<void> | undefined;

	constructor(private readonly options: RuntimeOptions) {
		this.labs = new LabHost({
			session: options.session,
			output: options.output,
			producerUrl: () => this.producer?.url,
			producerToken: () => this.producer?.token,
			settings: options.labSettings,
			snapshotMs: options.labSnapshotMs,
			onState: (state) => options.onLab?.(state),
			hold: async (name) => (name === 'deferred' ? this.holdDeferred() : undefined),
		});
	}

	async start(): Promise<void> {
		const {session, output} = this.options;
		this.producer = await startProducer({
			session,
			output,
			host: this.options.host,
			port: this.options.port,
			auth: this.options.auth,
			maxBody: this.options.maxBody,
			retain: this.options.retain,
			extraRoutes: labRoutes(() => this.labs.current),
			logAttributes: true,
		});
		this.labels.set(this.producer.name, 'producer');
		this.master = new DeferredMaster(session, output);
		this.labels.set(this.master.name, 'master');
		await this.master.start();
		for (let i = 0; i < this.options.workers; i++) await this.addWorker();
		for (const topic of this.options.topics) await this.toggleSubscription(topic);
		this.portal = new PortalWatcher({session});
		await this.portal.start();
		this.options.onChange?.();
	}

	/** Master, workers, consumers and the producer, as the panes list them. */
	actors(): LocalActor[] {
		const actors: LocalActor[] = [];
		if (this.master) {
			const state = this.master.state();
			actors.push({name: state.name, kind: 'master', label: 'master', paused: state.paused, busy: 0, handled: state.promoted});
		}
		for (const worker of this.workers) {
			const state = worker.state();
			actors.push({
				name: state.name,
				kind: 'worker',
				label: this.labels.get(state.name) ?? 'worker',
				paused: state.paused,
				nextPollAt: state.nextPollAt,
				busy: state.inFlight.length,
				handled: state.handled,
			});
		}
		for (const [topic, consumer] of this.consumers) {
			actors.push({name: consumer.name, kind: 'consumer', label: topic, paused: false, busy: 0, handled: consumer.handled});
		}
		if (this.producer) actors.push({name: this.producer.name, kind: 'producer', label: 'producer', paused: false, busy: 0, handled: this.producer.heartbeat.handled});
		return actors;
	}

	async publish(request: PublishRequest): Promise<PublishResult> {
		if (!this.producer) return {ok: false, message: 'the producer is not running'};
		const path = request.deferred
			? `/deferred-exec${request.delay ? `?delay=${encodeURIComponent(request.delay)}` : ''}`
			: `/topics/${encodeURIComponent(request.topic)}`;
		let response: Response;
		try {
			response = await fetch(`${this.producer.url}${path}`, {method: 'POST', headers: {'content-type': 'application/json', ...authHeaders(this.producer.token)}, body: request.payload});
		} catch (error) {
			return {ok: false, message: `the producer did not answer: ${describeError(error)}`};
		}
		const text = await response.text();
		let answer: Record<string, unknown> = {};
		try {
			answer = JSON.parse(text) as Record<string, unknown>;
		} catch {
			// Not JSON: the status line is all there is to say.
		}
		if (!response.ok) return {ok: false, message: `${response.status}: ${typeof answer['error'] === 'string' ? answer['error'] : text}`};
		if (request.deferred) {
			const id = answer['id'] === undefined ? '' : ` #${String(answer['id'])}`;
			return {ok: true, message: `deferred event${id} stored${request.delay ? `, due in ${request.delay}` : ''}`};
		}
		return {ok: true, message: `published to ${request.topic}`};
	}

	async addWorker(): Promise<void> {
		if (this.workers.length >= maxWorkers) throw new Error(`at most ${maxWorkers} workers in one dashboard`);
		const worker = new DeferredWorker(this.options.session, this.options.output, this.options.worker);
		this.labels.set(worker.name, `worker ${++this.workerSeq}`);
		this.workers.push(worker);
		this.options.onChange?.();
		await worker.start();
		this.options.onChange?.();
	}

	/** Stops the newest worker; its unfinished events go back to the queue. */
	async removeWorker(): Promise<void> {
		const worker = this.workers.pop();
		if (!worker) throw new Error('no worker left to stop');
		this.options.onChange?.();
		await worker.stop();
	}

	async togglePause(actorName: string): Promise<void> {
		const actor = this.master?.name === actorName ? this.master : this.workers.find((worker) => worker.name === actorName);
		if (!actor) throw new Error('that actor is no longer running');
		if (actor.state().paused) actor.resume();
		else actor.pause();
		this.options.onChange?.();
	}

	async toggleSubscription(topic: string): Promise<void> {
		const running = this.consumers.get(topic);
		if (running) {
			this.consumers.delete(topic);
			this.options.onChange?.();
			await running.stop();
			this.options.output.emit(running.name, [`Unsubscribed from \`${topic}\``], {event: 'unsubscribed', topic});
			return;
		}
		const consumer = new TopicConsumer({session: this.options.session, topic, output: this.options.output});
		this.labels.set(consumer.name, `sub ${topic}`);
		this.consumers.set(topic, consumer);
		this.options.onChange?.();
		await consumer.start();
	}

	/**
	 * The deferred lab runs its own master and workers on the same
	 * message:queue: the dashboard's own ones that run are paused while it does
	 * (else they would take its tasks), and resumed when it stops.
	 */
	private holdDeferred(): () => void {
		const master = this.master && !this.master.state().paused ? this.master : undefined;
		const workers = this.workers.filter((worker) => !worker.state().paused);
		master?.pause();
		for (const worker of workers) worker.pause();
		this.options.onChange?.();
		const what = [master ? 'master' : '', workers.length > 0 ? `${workers.length} worker(s)` : ''].filter(Boolean).join(' and ');
		if (what) this.options.output.emit('lab:deferred', [`Paused this dashboard's own ${what} while the deferred lab runs (they share message:queue)`], {event: 'held'});
		return () => {
			if (master && this.master === master) master.resume();
			for (const worker of workers) if (this.workers.includes(worker)) worker.resume();
			this.options.onChange?.();
			if (what) this.options.output.emit('lab:deferred', [`Resumed this dashboard's own ${what}`], {event: 'released'});
		};
	}

	quit(): void {
		this.options.onQuit();
	}

	/**
	 * Stops everything: the lab first (while the producer still serves it), then
	 * the workers (they hand unfinished events back to the queue), the master,
	 * the consumers and the producer.
	 */
	stop(): Promise<void> {
		this.stopping ??= (async () => {
			await this.labs.close().catch(() => undefined);
			await Promise.allSettled(this.workers.splice(0).map((worker) => worker.stop()));
			await this.master?.stop();
			await Promise.allSettled([...this.consumers.values()].map((consumer) => consumer.stop()));
			this.consumers.clear();
			await this.portal?.stop();
			await this.producer?.close();
		})();
		return this.stopping;
	}
}
