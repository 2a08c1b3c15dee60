import express, {type ErrorRequestHandler, type Request, type Response} from 'express';
import {describeError} from '../errors.js';
import {allSlots} from '../redis/cluster-status.js';
import {keys} from '../redis/keys.js';
import {waitReplicas} from '../redis/wait.js';
import {publishChecked, SchemaRefused, type Published} from '../portal/enforce.js';
import {maxTopicLength, topicError} from '../topics/names.js';
import {defaultTopicPage, listTopicsPage, maxTopicPage} from '../topics/list.js';
import {requireToken} from './auth.js';
import {acceptBatch, acceptOne, type Accepted, type Incoming, type Refused} from './accept.js';
import {mountAsyncApiRoutes} from './asyncapi-routes.js';
import {mountDeferredRoutes} from './deferred-routes.js';
import {incoming, redisUnavailable, redisUnavailableForRead, type ProducerDeps} from './http.js';
import {mountSchemaRoutes} from './schema-routes.js';

/** How long WAIT waits for replicas (--wait-replicas) before the answer is 503. */
const waitReplicasMs = 1000;

/** How long a request body may send nothing before it is answered 408. */
const defaultStallMs = 10_000;

export const usageText = `eda api-server: POST an event to /topics/<topic> (JSON, CloudEvents JSON or text/plain),
a JSON array or NDJSON to /topics/<topic>/batch, a deferred event to /deferred-exec[?delay=30s].
GET /topics[?limit=200&after=<topic>] lists topics a page at a time, GET /healthz tells whether Redis answers.
PUT /schemas/<topic>[?compat=backward|forward|full|none&mode=enforce|warn] declares a topic's JSON Schema
(events that fail it are answered 422), GET /schemas/<topic> lists its versions and how many events warn mode
stored though they failed (flagged).
GET /asyncapi.json or /asyncapi.yaml: the AsyncAPI 3.0.0 document of every topic seen (the portal's catalog).
Example: curl -X POST -H "Content-Type: application/json" -d '{"order_id": 123}' http://localhost:3000/topics/orderCreated
`;

/**
 * ?limit= and ?after= of GET /topics, read from the URL itself (express's
 * query parser keeps the first 1,000 parameters only).
 */
export function topicPageQuery(originalUrl: string): {limit: number; after?: string} | {error: string} {
	const at = originalUrl.indexOf('?');
	const query = new URLSearchParams(at === -1 ? '' : originalUrl.slice(at + 1));
	const limitText = query.get('limit');
	const after = query.get('after') ?? undefined;
	let limit = defaultTopicPage;
	if (limitText !== null) {
		limit = /^\d{1,7}$/.test(limitText) ? Number(limitText) : Number.NaN;
		if (!(limit >= 1 && limit <= maxTopicPage)) return {error: `limit "${limitText.slice(0, 40)}" is not a whole number from 1 to ${maxTopicPage}`};
	}
	if (after !== undefined && after.length > maxTopicLength) return {error: `after: a topic name is at most ${maxTopicLength} characters`};
	return {limit, after};
}

export function createProducerApp(deps: ProducerDeps): express.Express {
	const app = express();
	app.disable('x-powered-by');
	app.set('etag', false);
	// First, before any body is read: a caller without the token gets a 401 and nothing else.
	if (deps.token !== undefined) app.use(requireToken(deps.token));
	const stallMs = deps.stallMs ?? defaultStallMs;
	// A Content-Length that promises more than comes would hold the request
	// (and its socket) until Node's 5-minute request timeout: a body that sends
	// nothing for stallMs is answered 408 and the connection closed; nothing
	// was parsed, so nothing is stored.
	app.use((req, res, next) => {
		if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
			next();
			return;
		}
		req.setTimeout(stallMs, () => {
			if (!res.headersSent) {
				res.status(408).set('Connection', 'close').json({error: `the body stalled: nothing came for ${stallMs / 1000} s before the promised length; nothing was stored`});
			}
		});
		// The body is in: the stall timer is done (a keep-alive socket has its own).
		req.once('end', () => req.socket.setTimeout(0));
		next();
	});
	// Raw bytes for every content type: the body is published exactly as posted,
	// and parse errors are ours to word.
	app.use(express.raw({type: () => true, limit: deps.maxBody}));

	const publish = (accept: (incoming: Incoming, topic: string) => Accepted | Refused) => async (req: Request, res: Response) => {
		const topic = String(req.params['topic']);
		const badTopic = topicError(topic);
		if (badTopic) {
			res.status(400).json({error: badTopic});
			return;
		}
		const result = accept(incoming(req), topic);
		if (!result.ok) {
			res.status(result.status).json({error: result.error});
			return;
		}
		let published: Published;
		try {
			published = await publishChecked(deps.redis, topic, result.events, deps.retain);
		} catch (error) {
			if (error instanceof SchemaRefused) {
				// Nothing of the request was stored: the declared schema refused it (enforce mode).
				res.status(422).json({error: error.message, topic, version: error.version, ...(result.events.length > 1 ? {index: error.index} : {}), failures: error.failures});
			} else redisUnavailable(res, error);
			return;
		}
		const count = result.events.length;
		if (deps.waitReplicas) {
			// Stored on the master; a 200 also promises a replica holds it (--wait-replicas).
			const acked = await waitReplicas(deps.redis, keys.stream(topic), deps.waitReplicas, waitReplicasMs).catch(() => 0);
			if (acked < deps.waitReplicas) {
				res.status(503).json({error: `the event is stored on the master but not yet on ${deps.waitReplicas} replica(s) (${acked} acknowledged within ${waitReplicasMs} ms): a failover now could lose it; retrying may store it twice`, stored: true, acked});
				return;
			}
		}
		if (deps.heartbeat) deps.heartbeat.handled += count;
		deps.onPublished?.(topic, count);
		deps.onStored?.(topic, result.events, published.ids);
		// Warn mode: stored, and the answer says which events failed the declared schema.
		const flagged = published.warnings ? {flagged: published.flagged, warnings: published.warnings} : {};
		if (count === 1) res.json({message: 'message published', id: result.events[0]?.envelope.id, ...flagged});
		else res.json({message: 'events published', count, ...flagged});
	};

	// The hot route first: express walks its layers in order for every request.
	app.post('/topics/:topic', publish(acceptOne));
	app.post('/topics/:topic/batch', publish(acceptBatch));

	app.get('/healthz', async (_req, res) => {
		const started = process.hrtime.bigint();
		try {
			await deps.redis.ping();
			const rttMs = Number(process.hrtime.bigint() - started) / 1e6;
			const cluster = await deps.clusterStatus?.();
			// A cluster with a master down (or slots unserved) answers only part of the keys: 503.
			const whole = cluster === undefined || (cluster.mastersUp === cluster.masters && cluster.slotsCovered === allSlots);
			res.status(whole ? 200 : 503).json({status: whole ? 'ok' : 'degraded', redis: 'up', rttMs: Math.round(rttMs * 100) / 100, ...(cluster ? {cluster} : {})});
		} catch (error) {
			res.status(503).json({status: 'unavailable', redis: 'down', error: describeError(error)});
		}
	});

	// Paged: one answer over every topic held Redis for as long as all their figures took.
	app.get('/topics', async (req, res) => {
		const query = topicPageQuery(req.originalUrl);
		if ('error' in query) {
			res.status(400).json({error: query.error});
			return;
		}
		try {
			res.json(await listTopicsPage(deps.redis, query));
		} catch (error) {
			redisUnavailableForRead(res, error);
		}
	});


	mountDeferredRoutes(app, deps);
	mountSchemaRoutes(app, deps);
	mountAsyncApiRoutes(app, deps);
	deps.extraRoutes?.(app);

	// After the extra routes: a running lab answers GET / with its own routes first.
	app.get('/', (_req, res) => {
		res.type('text/plain').send(usageText);
	});

	app.use((req, res) => {
		res.status(404).json({error: `no route for ${req.method} ${req.path}; GET / lists the routes`});
	});

	const onError: ErrorRequestHandler = (error: {type?: string; status?: number; message?: string}, _req, res, _next) => {
		// The 408 for a stalled body went out already; its aborted read ends here.
		if (res.headersSent) return;
		if (error.type === 'entity.too.large') {
			res.status(413).json({error: `the body is larger than ${deps.maxBody} bytes (--max-body)`});
		} else if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
			res.status(error.status).json({error: error.message ?? 'bad request'});
		} else {
			res.status(500).json({error: describeError(error)});
		}
	};
	app.use(onError);
	return app;
}
