import express, {type ErrorRequestHandler, type Request, type Response} from 'express';
import type {Redis} from 'ioredis';
import type {Heartbeat} from '../actors/heartbeat.js';
import {describeError} from '../cli/user-error.js';
import {publishEvents} from '../topics/publish.js';
import {topicError} from '../topics/names.js';
import {listTopics} from '../topics/list.js';
import {acceptBatch, acceptOne, type Accepted, type Incoming, type Refused} from './accept.js';
import {mountDeferredRoutes} from './deferred-routes.js';

export type ProducerDeps = {
	/** A client with the offline queue off, so a Redis outage answers 503 at once. */
	redis: Redis;
	maxBody: number;
	retain: number;
	heartbeat?: Heartbeat;
	/** Told about every stored event (the dashboard counts them). */
	onPublished?: (topic: string, count: number) => void;
	/** More routes on the same app (the labs' command and query routes). */
	extraRoutes?: (app: express.Express) => void;
};

export const usageText = `eda api-server: POST an event to /topics/<topic> (JSON, CloudEvents JSON or text/plain),
a JSON array or NDJSON to /topics/<topic>/batch, a deferred event to /deferred-exec[?delay=30s].
GET /topics lists topics, GET /healthz tells whether Redis answers.
Example: curl -X POST -H "Content-Type: application/json" -d '{"order_id": 123}' http://localhost:3000/topics/orderCreated
`;

function incoming(req: Request): Incoming {
	return {
		contentType: req.headers['content-type'],
		body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
		header: (name) => {
			const value = req.headers[name];
			return Array.isArray(value) ? value[0] : value;
		},
	};
}

/**
 * The answer when storing failed: 503 when Redis is away or busy (retry later),
 * 500 for anything else. A timed-out command may still run later, so that
 * answer does not claim the event was not stored.
 */
export function redisUnavailable(res: Response, error: unknown): void {
	const message = describeError(error);
	const name = error instanceof Error ? error.name : '';
	if (/timed out/i.test(message)) {
		res.status(503).json({error: `Redis did not answer in time; the event may not have been stored: ${message}`});
	} else if (name === 'ReplyError' && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|OOM|READONLY|CLUSTERDOWN)/.test(message)) {
		res.status(500).json({error: `Redis refused the command, nothing was stored: ${message}`});
	} else if (error instanceof RangeError || error instanceof TypeError) {
		res.status(500).json({error: `the event could not be stored: ${message}`});
	} else {
		res.status(503).json({error: `Redis is unavailable, the event was not stored: ${message}`});
	}
}

export function createProducerApp(deps: ProducerDeps): express.Express {
	const app = express();
	app.disable('x-powered-by');
	app.set('etag', false);
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
		try {
			await publishEvents(deps.redis, topic, result.events, deps.retain);
		} catch (error) {
			redisUnavailable(res, error);
			return;
		}
		const count = result.events.length;
		if (deps.heartbeat) deps.heartbeat.handled += count;
		deps.onPublished?.(topic, count);
		if (count === 1) res.json({message: 'message published', id: result.events[0]?.envelope.id});
		else res.json({message: 'events published', count});
	};

	// The hot route first: express walks its layers in order for every request.
	app.post('/topics/:topic', publish(acceptOne));
	app.post('/topics/:topic/batch', publish(acceptBatch));

	app.get('/healthz', async (_req, res) => {
		const started = process.hrtime.bigint();
		try {
			await deps.redis.ping();
			const rttMs = Number(process.hrtime.bigint() - started) / 1e6;
			res.json({status: 'ok', redis: 'up', rttMs: Math.round(rttMs * 100) / 100});
		} catch (error) {
			res.status(503).json({status: 'unavailable', redis: 'down', error: describeError(error)});
		}
	});

	app.get('/topics', async (_req, res) => {
		try {
			res.json({topics: await listTopics(deps.redis)});
		} catch (error) {
			redisUnavailable(res, error);
		}
	});


	mountDeferredRoutes(app, deps);
	deps.extraRoutes?.(app);

	// After the extra routes: a running lab answers GET / with its own routes first.
	app.get('/', (_req, res) => {
		res.type('text/plain').send(usageText);
	});

	app.use((req, res) => {
		res.status(404).json({error: `no route for ${req.method} ${req.path}; GET / lists the routes`});
	});

	const onError: ErrorRequestHandler = (error: {type?: string; status?: number; message?: string}, _req, res, _next) => {
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
