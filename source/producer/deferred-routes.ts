// POST /deferred-exec and GET /deferred/:id. The event is stored (scheduled,
// due after its delay) by one script before the answer: a 200 means it is in
// Redis, and a master will move it to message:queue when it is due, even if no
// master runs right now. The Go tool only PUBLISHed it on `master`.
import type {IRouter, Request, Response} from 'express';
import {parseDuration} from '../text/duration.js';
import {queueError} from '../deferred/options.js';
import {DeferredStore} from '../deferred/store.js';
import {defaultQueue, deferredKeys, queuesIndex} from '../redis/keys.js';
import {acceptOne} from './accept.js';
import {header, incoming, redisUnavailable, type ProducerDeps} from './http.js';

/** Longest accepted delay: a year; a typo like 10000000m is refused, not kept for ages. */
const maxDelayMs = 365 * 24 * 3_600_000;

/**
 * ?delay= read from the URL itself: express's query parser keeps only the first
 * 1,000 parameters, and a delay after them was dropped, so the event was due now.
 */
function queryDelay(req: Request): string | undefined {
	const at = req.originalUrl.indexOf('?');
	if (at === -1) return undefined;
	return new URLSearchParams(req.originalUrl.slice(at + 1)).get('delay') ?? undefined;
}

/** ?delay= or a `delay` header: ms, s, m (h too); a bare number is ms. */
export function requestDelay(req: Request): {ms: number} | {error: string} {
	const raw = queryDelay(req) ?? header(req, 'delay');
	if (raw === undefined || raw === '') return {ms: 0};
	const ms = parseDuration(raw, 'ms');
	if (ms === undefined) return {error: `delay "${raw}" is not a duration; use e.g. 500ms, 30s, 2m (a bare number is milliseconds)`};
	if (ms > maxDelayMs) return {error: `delay "${raw}" is longer than a year`};
	return {ms};
}

/** ?queue= read from the URL itself (as ?delay=): a named queue, or the default message:queue. */
function requestQueue(req: Request): {queue: string} | {error: string} {
	const at = req.originalUrl.indexOf('?');
	const name = at === -1 ? null : new URLSearchParams(req.originalUrl.slice(at + 1)).get('queue');
	if (name === null) return {queue: defaultQueue};
	const problem = queueError(name);
	return problem ? {error: problem} : {queue: name};
}

export function mountDeferredRoutes(app: IRouter, deps: ProducerDeps): void {
	const stores = new Map<string, DeferredStore>();
	/** One store per queue; a named queue enters the index of queues first (outside its scripts: the index spans queues). */
	const storeOf = async (queue: string): Promise<DeferredStore> => {
		let store = stores.get(queue);
		if (store) return store;
		if (queue !== defaultQueue) await deps.redis.sadd(queuesIndex, queue);
		store = new DeferredStore(deps.redis, deferredKeys(queue));
		if (stores.size < 1000) stores.set(queue, store);
		return store;
	};
	const store = new DeferredStore(deps.redis);

	app.post('/deferred-exec', async (req: Request, res: Response) => {
		const delay = requestDelay(req);
		if ('error' in delay) {
			res.status(400).json({error: delay.error});
			return;
		}
		const queue = requestQueue(req);
		if ('error' in queue) {
			res.status(400).json({error: queue.error});
			return;
		}
		const request = incoming(req);
		// The queue keeps the body as posted (the Go worker RPOPs it), not an
		// envelope: binary-mode attributes would be dropped without a word.
		const ce = request.ceHeaders?.[0];
		if (ce) {
			res.status(400).json({error: `header ${ce[0]}: a deferred event is stored as its body alone (the Go worker reads it), so ce-* attributes would be lost; send the event as a structured CloudEvent (Content-Type: application/cloudevents+json) to keep them`});
			return;
		}
		// Same body rules as topics (JSON, CloudEvents JSON or text/plain); the
		// bytes are stored exactly as posted, so the Go worker's RPOP prints them.
		const accepted = acceptOne(request, 'master');
		if (!accepted.ok) {
			res.status(accepted.status).json({error: accepted.error});
			return;
		}
		let stored: {id: string; due: number};
		try {
			stored = await (await storeOf(queue.queue)).enqueue(request.body, delay.ms, 'api');
		} catch (error) {
			redisUnavailable(res, error);
			return;
		}
		if (deps.heartbeat) deps.heartbeat.handled++;
		deps.onPublished?.('deferred', 1);
		res.json({message: 'message published', id: stored.id, ...(queue.queue === defaultQueue ? {} : {queue: queue.queue}), due: stored.due, dueAt: new Date(stored.due).toISOString()});
	});

	app.get('/deferred/:id', async (req: Request, res: Response) => {
		const id = String(req.params['id']);
		if (!/^\d{1,20}$/.test(id)) {
			res.status(404).json({error: `no deferred event "${id}" (ids are numbers)`});
			return;
		}
		const queue = requestQueue(req);
		if ('error' in queue) {
			res.status(400).json({error: queue.error});
			return;
		}
		let record: Record<string, string> | undefined;
		try {
			record = await (queue.queue === defaultQueue ? store : new DeferredStore(deps.redis, deferredKeys(queue.queue))).get(id);
		} catch (error) {
			res.status(503).json({error: `Redis is unavailable: ${(error as Error).message}`});
			return;
		}
		if (!record) {
			res.status(404).json({error: `no deferred event ${id} (done events are kept for an hour)`});
			return;
		}
		const numeric = (name: string) => (record[name] === undefined ? undefined : Number(record[name]));
		const at = (name: string) => (record[name] === undefined ? undefined : new Date(Number(record[name])).toISOString());
		res.json({
			id,
			state: record['state'],
			attempts: numeric('attempts'),
			due: numeric('due'),
			dueAt: at('due'),
			created: numeric('created'),
			readyAt: numeric('readyAt'),
			claimedAt: numeric('claimedAt'),
			leaseUntil: numeric('leaseUntil'),
			worker: record['worker'],
			lastError: record['lastError'],
			note: record['note'],
			failedAt: numeric('failedAt'),
			finished: numeric('finished'),
			source: record['source'],
			body: record['body'],
		});
	});
}
