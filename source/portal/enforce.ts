// The one publish function every write path calls (the producer's routes,
// the labs, replay, the mesh): events are checked against the topic's latest
// declared schema (registry.ts), then stored by topics/publish.ts. The CQRS
// lab, which stores its events in its own write script, makes the same check
// first (checkEvents).
//
// The hot path stays cheap. Each process keeps, per Redis client, the latest
// declared version of each topic it publishes to, compiled once. A
// registration publishes on eda:portal:schemas and the cache drops that topic
// at once; a message can be missed (a reconnect), so an entry is also read
// again when it is older than a second. A warm entry costs a Map lookup and a
// clock read; a topic with no schema costs nothing more; the second read is
// one small script that sends the record only when the version moved.
import type {ValidateFunction} from 'ajv/dist/2020.js';
import type {Redis} from 'ioredis';
import {reconnectDelay} from '../redis/connect.js';
import {keys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';
import type {OutgoingEvent} from '../topics/envelope.js';
import {defaultRetain, publishEvents} from '../topics/publish.js';
import {compileSchema, failuresOf, type Failure} from './limits.js';
import {nonJsonSchema} from './infer.js';
import type {Declared} from './registry.js';

/** An entry older than this is read again: a registration reaches every producer within a second. */
export const refreshMs = 1000;
/** Topics remembered per client; past this the oldest are dropped (and read again when next published). */
const maxTopics = 10_000;
/** Failures named per refused event, and warnings per answer. */
const mostFailures = 5;

/** Events refused by the declared schema in enforce mode: nothing of them was stored. */
export class SchemaRefused extends Error {
	readonly status = 422;
	constructor(
		readonly topic: string,
		readonly version: number,
		/** The first failing event's place in the request (0 for a single event). */
		readonly index: number,
		readonly failures: Failure[],
		batch: boolean,
	) {
		const which = batch ? `the event at index ${index}` : 'the event';
		const first = failures[0];
		super(`${which} does not match the declared schema of ${topic} (version ${version})${first ? `: ${first.path} ${first.message}` : ''}; nothing was stored`);
		this.name = 'SchemaRefused';
	}
}

/** An event stored in warn mode though it failed: its place in the request and why. */
export type Warning = {index: number; version: number; failures: Failure[]};

export type Published = {ids: string[]; warnings?: Warning[]; flagged?: number};

type Compiled = {declared: Declared; validate: ValidateFunction; detailed?: ValidateFunction; error?: undefined} | {declared: Declared; error: string};
type TopicState = {checkedAt: number; count: number; compiled?: Compiled; epoch: number; reading?: Promise<Compiled | undefined>};

// KEYS[1] -> eda:{<topic>}:schema:versions
// ARGV[1] -> the number of versions this process knows
// Returns the number when it is unchanged, else {number, latest record}.
const latestScript = new LuaScript(`local n = redis.call('LLEN', KEYS[1])
if n == tonumber(ARGV[1]) or n == 0 then return n end
return {n, redis.call('LINDEX', KEYS[1], -1)}
`);

function compile(declared: Declared): Compiled {
	const compiled = compileSchema(declared.schema);
	// A stored schema passed these checks when it was registered; an eda that compiles differently must still refuse, not crash.
	return 'error' in compiled ? {declared, error: compiled.error} : {declared, validate: compiled.validate};
}

/** The declared versions one process knows, per Redis client. */
class SchemaCache {
	private readonly topics = new Map<string, TopicState>();
	private subscribed = false;

	constructor(private readonly redis: Redis) {}

	/** The topic's latest compiled version (undefined: none declared), read from Redis when not fresh. */
	lookup(topic: string): Compiled | undefined | Promise<Compiled | undefined> {
		const state = this.topics.get(topic);
		if (state && state.checkedAt + refreshMs > Date.now()) return state.compiled;
		if (!this.subscribed) this.subscribe();
		return this.read(topic, state);
	}

	private read(topic: string, known: TopicState | undefined): Promise<Compiled | undefined> {
		let state = known;
		if (!state) {
			if (this.topics.size >= maxTopics) this.topics.delete(this.topics.keys().next().value as string);
			state = {checkedAt: 0, count: 0, epoch: 0};
			this.topics.set(topic, state);
		}
		const current = state;
		if (current.reading) return current.reading;
		const startedAt = Date.now();
		const epoch = current.epoch;
		const reading = latestScript.run(this.redis, [keys.portal.schemaVersions(topic)], [current.count]).then(
			(reply) => {
				current.reading = undefined;
				if (Array.isArray(reply)) {
					current.count = Number(reply[0]);
					current.compiled = compile(JSON.parse(String(reply[1])) as Declared);
				} else if (Number(reply) === 0) {
					current.count = 0;
					current.compiled = undefined;
				}
				// A registration announced while this read was under way may not be in it: read again next time.
				if (current.epoch === epoch) current.checkedAt = startedAt;
				return current.compiled;
			},
			(error: unknown) => {
				current.reading = undefined;
				throw error;
			},
		);
		current.reading = reading;
		return reading;
	}

	/** Drops one topic's entry (or every entry) so the next publish reads it again. */
	private invalidate(topic?: string): void {
		const drop = (state: TopicState) => {
			state.checkedAt = 0;
			state.epoch++;
		};
		if (topic === undefined) for (const state of this.topics.values()) drop(state);
		else {
			const state = this.topics.get(topic);
			if (state) drop(state);
		}
	}

	private subscribe(): void {
		this.subscribed = true;
		// Its own connection (a subscribed client can do nothing else), waiting
		// for Redis when it is away; ioredis subscribes again after a reconnect.
		// It ends with its client. ioredis says 'end' when a client is closed,
		// except when it is closed while reconnecting (Redis away): then only
		// its private manuallyClosing flag tells, and this connection, retrying
		// too, stops at its next attempt. Its socket is unref'd, so it never
		// holds a process whose client was closed while both were connected.
		const clientClosed = () => this.redis.status === 'end' || (this.redis as unknown as {manuallyClosing?: boolean}).manuallyClosing === true;
		const sub = this.redis.duplicate({
			connectionName: 'eda:portal:schemas',
			enableOfflineQueue: true,
			maxRetriesPerRequest: null,
			lazyConnect: false,
			retryStrategy: (attempt) => (clientClosed() ? null : reconnectDelay(attempt)),
		});
		sub.on('error', () => undefined);
		sub.on('ready', () => {
			(sub.stream as {unref?: () => void} | undefined)?.unref?.();
			// Messages sent while it was away are lost: everything is read again.
			this.invalidate();
		});
		sub.on('message', (_channel: string, text: string) => {
			let topic: string | undefined;
			try {
				topic = (JSON.parse(text) as {topic?: unknown}).topic as string | undefined;
			} catch {
				topic = undefined;
			}
			this.invalidate(typeof topic === 'string' ? topic : undefined);
		});
		sub.subscribe(keys.portal.schemasChannel).catch(() => undefined);
		this.redis.once('end', () => sub.disconnect());
	}
}

const caches = new WeakMap<Redis, SchemaCache>();

function cacheOf(redis: Redis): SchemaCache {
	let cache = caches.get(redis);
	if (!cache) caches.set(redis, (cache = new SchemaCache(redis)));
	return cache;
}

const nonJsonKeyword = Object.keys(nonJsonSchema)[0] as string;

/** JSON media types: application/json and application/<anything>+json (an empty type is taken as JSON). */
function isJsonType(contentType: string): boolean {
	const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
	return type === '' || type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

/**
 * The data of an event as a JSON value. A structured CloudEvent whose `data`
 * was a JSON string is stored as that string's text: when it does not parse
 * as JSON, it is that string.
 */
function valueOf(data: string): unknown {
	try {
		return JSON.parse(data);
	} catch {
		return data;
	}
}

/** Why one event fails the compiled version; undefined when it passes. */
function failuresFor(compiled: Compiled, event: OutgoingEvent): Failure[] | undefined {
	if (compiled.error !== undefined) return [{path: '/', message: `the declared schema cannot be compiled by this eda: ${compiled.error}`}];
	const {datacontenttype, data} = event.envelope;
	// A schema taken from an inferred catalog entry of non-JSON traffic declares just that: nothing to check.
	if (compiled.declared.schema[nonJsonKeyword] === true) return undefined;
	if (!isJsonType(datacontenttype)) {
		return [{path: '/', message: `a ${datacontenttype.split(';')[0]?.trim() || 'non-JSON'} event cannot be checked against the declared JSON schema; send application/json`}];
	}
	// The producer parsed JSON bodies already: only events from elsewhere (labs, stored entries) are parsed here.
	const value = event.parsed ? event.parsed.value : valueOf(data);
	if (compiled.validate(value)) return undefined;
	// Failures are rare: the validator that lists several is compiled only when one is needed.
	if (!compiled.detailed) {
		const detailed = compileSchema(compiled.declared.schema, true);
		compiled.detailed = 'validate' in detailed ? detailed.validate : compiled.validate;
	}
	compiled.detailed(value);
	const failures = failuresOf(compiled.detailed.errors, mostFailures);
	return failures.length > 0 ? failures : failuresOf(compiled.validate.errors, mostFailures);
}

/** What the declared schema says of events that may be stored: in warn mode, the failing ones. */
export type Checked = {warnings?: Warning[]; flagged: number};

/** Checks events against one compiled version: throws SchemaRefused at the first failing one in enforce mode. */
function verdict(compiled: Compiled, topic: string, events: OutgoingEvent[]): Checked {
	const warn = compiled.declared.mode === 'warn';
	const warnings: Warning[] = [];
	let flagged = 0;
	for (let index = 0; index < events.length; index++) {
		const failures = failuresFor(compiled, events[index] as OutgoingEvent);
		if (!failures) continue;
		if (!warn) throw new SchemaRefused(topic, compiled.declared.version, index, failures, events.length > 1);
		flagged++;
		if (warnings.length < mostFailures) warnings.push({index, version: compiled.declared.version, failures});
	}
	return flagged === 0 ? {flagged} : {warnings, flagged};
}

/**
 * The check publishChecked makes, for a writer that stores events its own
 * way (the CQRS lab's write script, which appends its event in the same step
 * as the order's version check): throws SchemaRefused in enforce mode; in
 * warn mode answers the failing events, which the writer stores and adds to
 * eda:{<topic>}:schema:flagged (keys.portal.schemaFlagged) as it stores them.
 */
export async function checkEvents(redis: Redis, topic: string, events: OutgoingEvent[]): Promise<Checked> {
	const found = cacheOf(redis).lookup(topic);
	const compiled = found instanceof Promise ? await found : found;
	return compiled ? verdict(compiled, topic, events) : {flagged: 0};
}

/**
 * Checks events against the topic's declared schema and stores them
 * (topics/publish.ts publishEvents), all or none. In enforce mode the first
 * failing event rejects the whole request with SchemaRefused and nothing is
 * stored or PUBLISHed; in warn mode every event is stored, the failing ones
 * counted in eda:{<topic>}:schema:flagged and returned as warnings.
 */
export async function publishChecked(redis: Redis, topic: string, events: OutgoingEvent[], retain = defaultRetain): Promise<Published> {
	const found = cacheOf(redis).lookup(topic);
	const compiled = found instanceof Promise ? await found : found;
	if (!compiled) return {ids: await publishEvents(redis, topic, events, retain)};
	const {warnings, flagged} = verdict(compiled, topic, events);
	const ids = await publishEvents(redis, topic, events, retain);
	if (flagged === 0) return {ids};
	// The events are stored: a counter Redis missed is not reported as a failed publish.
	await redis.incrby(keys.portal.schemaFlagged(topic), flagged).catch(() => undefined);
	return {ids, warnings, flagged};
}

/** Events stored in warn mode though they failed the declared schema, since the topic's first registration. */
export async function flaggedCount(redis: Redis, topic: string): Promise<number> {
	return Number((await redis.get(keys.portal.schemaFlagged(topic))) ?? 0);
}

/** A checker for one version, compiled once: `eda portal check --check-retained` runs it over stored events. */
export function eventChecker(declared: Declared): (event: OutgoingEvent) => Failure[] | undefined {
	const compiled = compile(declared);
	return (event) => failuresFor(compiled, event);
}
