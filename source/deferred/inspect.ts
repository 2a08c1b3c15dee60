// A read-only picture of every deferred stage, for `eda deferred list`, the
// deferred lab and the Events view's dead and scheduled lists (feed/browser.ts;
// the dashboard's panes read their own in one script, feed/snapshot.ts): at
// most three pipelined round trips whatever the number of events.
import {createHash} from 'node:crypto';
import type {Redis} from 'ioredis';
import {timeReplyMs} from '../redis/clock.js';
import {keys, type DeferredKeys} from '../redis/keys.js';

export type EventView = {
	/** Empty for a body in message:queue that has no record yet (pushed by the Go master). */
	id: string;
	state: string;
	attempts: number;
	body: string;
	due?: number;
	readyAt?: number;
	leaseUntil?: number;
	worker?: string;
	lastError?: string;
	failedAt?: number;
	diedAt?: number;
	source?: string;
};

export type DeferredSnapshot = {
	/** The list ready events wait in (message:queue, or a named queue's eda:{<name>}:queue). */
	queue: string;
	/** Redis ms when the picture was taken. */
	now: number;
	counts: {scheduled: number; ready: number; inflight: number; dead: number};
	/** The counters in keys.deferred.stats, since the start. */
	stats: Record<string, number>;
	/** Soonest due first. */
	scheduled: EventView[];
	/** Next to be taken first. */
	ready: EventView[];
	/** Soonest lease expiry first. */
	inflight: EventView[];
	/** Latest death first. */
	dead: EventView[];
	/** Redis ms the oldest waiting event became ready (age of the queue). */
	oldestReadyAt?: number;
};

const fields = ['id', 'state', 'attempts', 'body', 'due', 'readyAt', 'leaseUntil', 'worker', 'lastError', 'failedAt', 'diedAt', 'source'] as const;

function toView(id: string, values: (string | null)[]): EventView | undefined {
	const get = (name: (typeof fields)[number]) => values[fields.indexOf(name)] ?? undefined;
	const numeric = (name: (typeof fields)[number]) => {
		const v = get(name);
		return v === undefined ? undefined : Number(v);
	};
	if (get('body') === undefined) return undefined;
	return {
		id,
		state: get('state') ?? '',
		attempts: numeric('attempts') ?? 0,
		body: get('body') ?? '',
		due: numeric('due'),
		readyAt: numeric('readyAt'),
		leaseUntil: numeric('leaseUntil'),
		worker: get('worker'),
		lastError: get('lastError'),
		failedAt: numeric('failedAt'),
		diedAt: numeric('diedAt'),
		source: get('source'),
	};
}

function pairs(reply: unknown): string[] {
	// ZRANGE ... WITHSCORES: member, score, member, score.
	const list = (reply as string[] | null) ?? [];
	return list.filter((_, i) => i % 2 === 0);
}

export async function readDeferredSnapshot(redis: Redis, limit = 50, d: DeferredKeys = keys.deferred): Promise<DeferredSnapshot> {
	const first = await redis
		.pipeline()
		.time()
		.zcard(d.scheduled)
		.llen(d.work)
		.zcard(d.inflight)
		.zcard(d.dead)
		.hgetall(d.stats)
		.zrange(d.scheduled, 0, limit - 1, 'WITHSCORES')
		.lrangeBuffer(d.work, -limit, -1)
		.zrange(d.inflight, 0, limit - 1, 'WITHSCORES')
		.zrevrange(d.dead, 0, limit - 1, 'WITHSCORES')
		.exec();
	const value = (i: number): unknown => {
		const [error, result] = first?.[i] ?? [new Error('no reply'), null];
		if (error) throw error;
		return result;
	};
	const now = timeReplyMs(value(0) as [string, string]);
	const statsRaw = value(5) as Record<string, string>;
	const stats = Object.fromEntries(Object.entries(statsRaw).map(([k, v]) => [k, Number(v)]));
	const scheduledIds = pairs(value(6));
	// Oldest (next to be taken) is at the right end: read right to left.
	const queueBodies = (value(7) as Buffer[]).slice().reverse();
	const inflightIds = pairs(value(8));
	const deadIds = pairs(value(9));

	// Which id each queued body belongs to: the k-th occurrence of a body from
	// the right is the k-th id in that body's id list.
	const shas = queueBodies.map((body) => createHash('sha1').update(body).digest('hex'));
	const wanted = new Map<string, number>();
	for (const sha of shas) wanted.set(sha, (wanted.get(sha) ?? 0) + 1);

	const second = redis.pipeline();
	const ids = [...scheduledIds, ...inflightIds, ...deadIds];
	for (const id of ids) second.hmget(d.event(id), ...fields);
	const shaOrder = [...wanted.keys()];
	for (const sha of shaOrder) second.lrange(d.idsForBody(sha), 0, (wanted.get(sha) ?? 1) - 1);
	const replies = (await second.exec()) ?? [];
	const views = new Map<string, EventView>();
	ids.forEach((id, i) => {
		const view = toView(id, (replies[i]?.[1] as (string | null)[] | undefined) ?? []);
		if (view) views.set(id, view);
	});
	const idLists = new Map<string, string[]>();
	shaOrder.forEach((sha, i) => idLists.set(sha, (replies[ids.length + i]?.[1] as string[] | undefined) ?? []));

	// A third small round trip for the records of queued ids.
	const seen = new Map<string, number>();
	const queuedIds = shas.map((sha) => {
		const k = seen.get(sha) ?? 0;
		seen.set(sha, k + 1);
		return idLists.get(sha)?.[k] ?? '';
	});
	const third = redis.pipeline();
	for (const id of queuedIds) if (id) third.hmget(d.event(id), ...fields);
	const queuedReplies = queuedIds.some(Boolean) ? ((await third.exec()) ?? []) : [];
	let r = 0;
	const ready: EventView[] = queueBodies.map((body, i) => {
		const id = queuedIds[i] ?? '';
		const view = id ? toView(id, (queuedReplies[r++]?.[1] as (string | null)[] | undefined) ?? []) : undefined;
		return view ?? {id: '', state: 'ready', attempts: 0, body: body.toString(), source: 'message:queue'};
	});

	const pick = (list: string[]) => list.map((id) => views.get(id)).filter((v): v is EventView => v !== undefined);
	return {
		queue: d.work,
		now,
		counts: {scheduled: Number(value(1)), ready: Number(value(2)), inflight: Number(value(3)), dead: Number(value(4))},
		stats,
		scheduled: pick(scheduledIds),
		ready,
		inflight: pick(inflightIds),
		dead: pick(deadIds),
		oldestReadyAt: ready[0]?.readyAt,
	};
}
