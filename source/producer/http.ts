// What the producer's routes share (app.ts's topics, deferred-routes.ts's
// deferred events, the labs' extra routes through ProducerDeps): the app's
// dependencies, the request as accept.ts reads it, and the answer when Redis fails.
import type {ClusterStatus} from '../redis/cluster-status.js';
import type express from 'express';
import type {Request, Response} from 'express';
import type {Redis} from 'ioredis';
import type {Heartbeat} from '../actors/heartbeat.js';
import {describeError} from '../errors.js';
import type {OutgoingEvent} from '../topics/envelope.js';
import type {Incoming} from './accept.js';

export type ProducerDeps = {
	/** A client with the offline queue off, so a Redis outage answers 503 at once. */
	redis: Redis;
	maxBody: number;
	retain: number;
	heartbeat?: Heartbeat;
	/** Told about every stored event (the dashboard counts them). */
	onPublished?: (topic: string, count: number) => void;
	/** Given the stored events themselves (the dashboard logs their attributes). */
	onStored?: (topic: string, events: OutgoingEvent[], ids: string[]) => void;
	/** More routes on the same app (the labs' command and query routes). */
	extraRoutes?: (app: express.Express) => void;
	/** A body that sends nothing for this long gets 408 (default 10 s). */
	stallMs?: number;
	/** When set, every route but the public ones needs it (auth.ts). */
	token?: string;
	/** On a Redis Cluster: masters up, slots covered, nodes per connection (GET /healthz shows them). */
	clusterStatus?: () => Promise<ClusterStatus | undefined>;
	/** --wait-replicas: replicas that must hold an event before 200 (0: none asked). */
	waitReplicas?: number;
	/** On a Redis Cluster: the first seed, named in the AsyncAPI servers (password masked); a single node's URL is read from its client. */
	redisUrl?: string;
};

/** One request header; the first when it came more than once. */
export function header(req: Request, name: string): string | undefined {
	const value = req.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

/** The request as accept.ts reads it: the raw body bytes and its headers. */
export function incoming(req: Request): Incoming {
	let ceHeaders: Array<[string, string]> | undefined;
	for (const name in req.headers) {
		if (!name.startsWith('ce-')) continue;
		const value = req.headers[name];
		(ceHeaders ??= []).push([name, Array.isArray(value) ? (value[0] ?? '') : (value ?? '')]);
	}
	return {
		ceHeaders,
		contentType: req.headers['content-type'],
		body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
		header: (name) => header(req, name),
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

/** The answer when a read failed: nothing was being stored, so nothing to say about events. */
export function redisUnavailableForRead(res: Response, error: unknown): void {
	const message = describeError(error);
	if (/timed out/i.test(message)) res.status(503).json({error: `Redis did not answer in time; try again: ${message}`});
	else res.status(503).json({error: `Redis is unavailable; try again: ${message}`});
}
