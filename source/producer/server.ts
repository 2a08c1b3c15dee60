import type {Server} from 'node:http';
import {actorName, Heartbeat} from '../actors/heartbeat.js';
import type {ActorOutput} from '../actors/output.js';
import {UserError} from '../errors.js';
import {waitReady} from '../redis/connect.js';
import type {RedisSession} from '../redis/session.js';
import {attributesOf, givenAttributesLine} from '../topics/envelope.js';
import {defaultRetain} from '../topics/publish.js';
import {createProducerApp} from './app.js';
import {checkProtectedMode, continueIfAllowed, insecureWarning, type ProducerAuth} from './auth.js';
import type {ProducerDeps} from './http.js';

export const defaultPort = 3000;
export const defaultHost = '127.0.0.1';
export const defaultMaxBody = 1024 * 1024;

export type ProducerOptions = {
	session: RedisSession;
	output: ActorOutput;
	host?: string;
	port?: number;
	maxBody?: number;
	retain?: number;
	onPublished?: (topic: string, count: number) => void;
	extraRoutes?: ProducerDeps['extraRoutes'];
	/** The token callers must send, or --insecure (auth.ts); checked against `host` here too. */
	auth?: ProducerAuth;
	/**
	 * Log the attributes a producer gave with each stored event (the
	 * dashboard's Log): its consumers hear the body on pub/sub, which
	 * carries no binary-mode ce-* headers. Off for the headless api-server,
	 * which prints nothing per event.
	 */
	logAttributes?: boolean;
	/** Tests shorten the 10 s a stalled body is given before its 408. */
	stallMs?: number;
	/** --wait-replicas: replicas that must acknowledge each event (WAIT) before 200; 0 or undefined: none. */
	waitReplicas?: number;
};

export type RunningProducer = {
	url: string;
	name: string;
	heartbeat: Heartbeat;
	/** What callers must send (clients in this process use it); never printed. */
	token: string | undefined;
	/** The --insecure warning when this producer is open beyond loopback without a token. */
	warning: string | undefined;
	close(): Promise<void>;
};

/** The express producer on its own Redis client, with a heartbeat. */
export async function startProducer(options: ProducerOptions): Promise<RunningProducer> {
	const host = options.host ?? defaultHost;
	const port = options.port ?? defaultPort;
	const auth = options.auth ?? {};
	// Before connecting anything: an unguarded public address is a usage error (protected mode).
	checkProtectedMode(host, auth);
	const name = actorName('producer');
	// No offline queue and a command timeout: a Redis that is down or hung gets a 503, not a hanging request.
	const redis = options.session.connect(name, {offlineQueue: false, commandTimeoutMs: 3000});
	// Without the offline queue, a request before the first connect would get 503.
	await waitReady(redis, 5000).catch(() => undefined);
	const heartbeat = new Heartbeat(options.session.connect(`${name}:beat`), name, 'producer', `http://${host}:${port}`);
	const app = createProducerApp({
		redis,
		heartbeat,
		maxBody: options.maxBody ?? defaultMaxBody,
		retain: options.retain ?? defaultRetain,
		onPublished: options.onPublished,
		extraRoutes: options.extraRoutes,
		token: auth.token,
		stallMs: options.stallMs,
		waitReplicas: options.waitReplicas,
		// A cluster client's options name no node: the first seed, as eda portal export names it.
		redisUrl: options.session.seeds?.[0],
		clusterStatus: options.session.seeds ? () => options.session.clusterStatus() : undefined,
		onStored: options.logAttributes
			? (topic, events, ids) => {
					for (const [i, {envelope}] of events.entries()) {
						const line = givenAttributesLine(envelope, topic);
						if (line) options.output.emit(name, [`Stored event ${envelope.id} on topic: ${topic}`, line], {event: 'stored', topic, entry: ids[i], id: envelope.id, attributes: attributesOf(envelope)});
					}
				}
			: undefined,
	});
	const server: Server = await new Promise((resolve, reject) => {
		const listening = app.listen(port, host);
		listening.on('checkContinue', continueIfAllowed(app, auth.token));
		listening.once('listening', () => resolve(listening));
		listening.once('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EADDRINUSE') reject(new UserError(`port ${port} on ${host} is in use; pick another with --port`, 1));
			else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new UserError(`cannot listen on ${host}: no such local address (--host)`, 1));
			else if (error.code === 'EACCES') reject(new UserError(`not allowed to listen on port ${port} (--port)`, 1));
			else reject(error);
		});
	});
	// Keep-alive sockets would hold close() open for their idle timeout.
	server.keepAliveTimeout = 5000;
	heartbeat.start();
	const address = server.address();
	const actualPort = typeof address === 'object' && address ? address.port : port;
	const shownHost = host.includes(':') ? `[${host}]` : host;
	const url = `http://${shownHost}:${actualPort}`;
	heartbeat.setDetail(url);
	options.output.emit(name, [`API server listening on ${url}${auth.token === undefined ? '' : ' (token required)'}`], {event: 'listening', url, tokenRequired: auth.token !== undefined});
	const warning = insecureWarning(host, auth);
	if (warning) options.output.emit(name, [warning], {event: 'insecure', warning});
	return {
		url,
		name,
		heartbeat,
		token: auth.token,
		warning,
		async close() {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
			await heartbeat.stop();
		},
	};
}
