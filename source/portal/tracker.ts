// What the catalog writer keeps in memory per topic: one entry per CloudEvents
// type, each with its inference window, producers, counts, rate and the
// versions not yet written. Bounded: a window of the last `windowSize` events
// (infer.ts), at most maxProducers sources and maxTypes types, a minute of
// one-second rate buckets. Pure: the watcher reads Redis and writes it.
import {breaks, diffSchemas} from './compat.js';
import {mergeSchemas, InferenceWindow, type JsonSchema} from './infer.js';
import {
	maxProducers,
	maxSampleBytes,
	maxTypes,
	otherProducers,
	otherTypes,
	rateWindowMs,
	type CatalogVersion,
	type EntryWrite,
	type StoredEntry,
	type TopicRecord,
	type Transport,
} from './catalog.js';

export const defaultWindowSize = 1000;

const rateBuckets = rateWindowMs / 1000;

function cutSample(data: string): string {
	if (data.length <= maxSampleBytes) return data;
	return data.slice(0, maxSampleBytes);
}

function isNonJson(schema: JsonSchema): boolean {
	return JSON.stringify(schema).includes('"x-eda-non-json":true');
}

class EntryState {
	readonly window: InferenceWindow;
	version = 0;
	schema: JsonSchema = {};
	private schemaText = '{}';
	producers = new Map<string, number>();
	count = 0;
	firstSeen = 0;
	lastSeen = 0;
	sample: string | undefined;
	private readonly buckets = new Array<number>(rateBuckets).fill(0);
	private bucketSecond = 0;
	/** Versions not yet written. */
	pending: CatalogVersion[] = [];
	dirty = false;
	/**
	 * After a resume, the stored schema: until the window holds as many events
	 * as it can, a shape counts as new only when it adds to this one, so a
	 * window that starts empty does not undo what the last writer learnt.
	 */
	private baseline: JsonSchema | undefined;

	constructor(
		readonly type: string | undefined,
		windowSize: number,
		stored?: StoredEntry,
	) {
		this.window = new InferenceWindow(windowSize);
		if (!stored) return;
		this.version = stored.version;
		this.schema = stored.schema;
		this.schemaText = JSON.stringify(stored.schema);
		this.producers = new Map(Object.entries(stored.producers));
		this.count = stored.count;
		this.firstSeen = stored.firstSeen;
		this.lastSeen = stored.lastSeen;
		this.sample = stored.sample;
		this.baseline = stored.schema;
	}

	/** Feeds the window only: a resumed writer refills it from the stream before reading on. */
	prime(data: string): void {
		this.window.add(data);
	}

	add(data: string, source: string | undefined, atMs: number): void {
		this.count++;
		if (this.firstSeen === 0 || atMs < this.firstSeen) this.firstSeen = atMs;
		if (atMs > this.lastSeen) this.lastSeen = atMs;
		this.sample = cutSample(data);
		if (source !== undefined) {
			const name = this.producers.has(source) || this.producers.size < maxProducers ? source : otherProducers;
			this.producers.set(name, (this.producers.get(name) ?? 0) + 1);
		}
		this.countRate(atMs);
		this.dirty = true;
		if (!this.window.add(data) && this.version > 0) return;
		let next = this.window.schema();
		if (this.baseline !== undefined) {
			if (this.window.count >= this.window.size) this.baseline = undefined;
			else next = mergeSchemas(this.baseline, next);
		}
		const text = JSON.stringify(next);
		if (text === this.schemaText) return;
		const previous = this.schema;
		const first = this.version === 0;
		this.version++;
		this.pending.push({version: this.version, at: atMs, changes: first ? [] : diffSchemas(previous, next), breaks: first ? [] : breaks(previous, next), schema: next});
		this.schema = next;
		this.schemaText = text;
	}

	private countRate(atMs: number): void {
		const second = Math.floor(atMs / 1000);
		if (second > this.bucketSecond) {
			const gap = Math.min(second - this.bucketSecond, rateBuckets);
			for (let i = 1; i <= gap; i++) this.buckets[(this.bucketSecond + i) % rateBuckets] = 0;
			this.bucketSecond = second;
		}
		// Older than the minute kept: counted, but not in the rate.
		if (second > this.bucketSecond - rateBuckets) this.buckets[second % rateBuckets] = (this.buckets[second % rateBuckets] ?? 0) + 1;
	}

	rate(): number {
		return this.buckets.reduce((sum, n) => sum + n, 0) / rateBuckets;
	}

	stored(): StoredEntry {
		return {
			type: this.type,
			version: this.version,
			schema: this.schema,
			producers: Object.fromEntries(this.producers),
			firstSeen: this.firstSeen,
			lastSeen: this.lastSeen,
			rate: this.rate(),
			...(this.sample === undefined ? {} : {sample: this.sample}),
			...(isNonJson(this.schema) ? {nonJson: true} : {}),
			count: this.count,
		};
	}
}

/** One topic's entries, keyed by type ('' for events whose type is the topic or that have none). */
export class TopicTracker {
	pos: string;
	readonly entries = new Map<string, EntryState>();
	private moved = false;

	constructor(
		readonly topic: string,
		readonly transport: Transport,
		private readonly windowSize = defaultWindowSize,
		record?: TopicRecord,
	) {
		this.pos = record?.pos ?? '0-0';
		for (const stored of record?.entries ?? []) this.entries.set(stored.type ?? '', new EntryState(stored.type, windowSize, stored));
	}

	private entry(type: string | undefined): EntryState {
		let key = type === undefined || type === this.topic ? '' : type;
		let entry = this.entries.get(key);
		if (entry) return entry;
		if (this.entries.size >= maxTypes) key = otherTypes;
		entry = this.entries.get(key);
		if (!entry) this.entries.set(key, (entry = new EntryState(key === '' ? undefined : key, this.windowSize)));
		return entry;
	}

	prime(data: string, type: string | undefined): void {
		this.entry(type).prime(data);
	}

	/** One event: its data, CloudEvents type and source (undefined for pub/sub), Redis ms, and the stream id read. */
	add(data: string, type: string | undefined, source: string | undefined, atMs: number, id?: string): void {
		this.entry(type).add(data, source, atMs);
		if (id !== undefined) this.pos = id;
		this.moved = true;
	}

	get dirty(): boolean {
		return this.moved;
	}

	/** The entries changed since the last take, with their new versions; marks them written. */
	takeWrites(): EntryWrite[] {
		const writes: EntryWrite[] = [];
		for (const entry of this.entries.values()) {
			if (!entry.dirty) continue;
			writes.push({entry: entry.stored(), newVersions: entry.pending});
			entry.pending = [];
			entry.dirty = false;
		}
		this.moved = false;
		return writes;
	}
}
