// The audit: what was seen against what was declared. Four findings:
// topics seen but not declared, declared but silent, consumer groups on topics
// with no declared schema, and an inferred shape that diverges from the
// declared one (retained events that fail the declared schema, or the inferred
// schema breaking the declared one in the compatibility it was declared with).
import type {Redis} from 'ioredis';
import {entriesOf} from '../actors/stream-reader.js';
import {keys} from '../redis/keys.js';
import {readCatalog, readConsumers, type CatalogEntry} from './catalog.js';
import {checkCompatibility} from './compat.js';
import {eventChecker} from './enforce.js';
import {declaredTopics, latestDeclared, type Declared} from './registry.js';

export type FindingKind = 'undeclared' | 'silent' | 'group-without-schema' | 'diverges';

export type Finding = {kind: FindingKind; topic: string; type?: string; text: string; detail?: Record<string, unknown>};

/** Retained events checked per declared topic against its schema. */
export const auditedEvents = 200;

function label(entry: CatalogEntry): string {
	return entry.type === undefined ? entry.topic : `${entry.topic} (type ${entry.type})`;
}

/** Every finding, topic by topic; empty when what ran matches what was declared. */
export async function auditCatalog(redis: Redis): Promise<Finding[]> {
	const [entries, declaredNames, indexed] = await Promise.all([readCatalog(redis), declaredTopics(redis), redis.hkeys(keys.topics)]);
	const declared = new Map<string, Declared>();
	for (const topic of declaredNames) {
		const latest = await latestDeclared(redis, topic);
		if (latest) declared.set(topic, latest);
	}
	const seen = new Set(entries.map((e) => e.topic));
	const topics = [...new Set([...seen, ...indexed, ...declared.keys()])].sort();
	const consumers = await readConsumers(redis, topics);
	const findings: Finding[] = [];
	for (const topic of topics) {
		const mine = entries.filter((e) => e.topic === topic);
		const schema = declared.get(topic);
		const retained = await redis.xlen(keys.stream(topic)).catch(() => 0);
		if (!schema) {
			if (mine.length > 0) findings.push({kind: 'undeclared', topic, text: `${topic}: seen (${mine.reduce((n, e) => n + e.count, 0)} events) but no schema is declared`});
			for (const group of consumers.get(topic)?.groups ?? []) {
				findings.push({kind: 'group-without-schema', topic, text: `${topic}: consumer group ${group.name} reads a topic with no declared schema`, detail: {group: group.name}});
			}
			continue;
		}
		if (mine.length === 0 && retained === 0) {
			findings.push({kind: 'silent', topic, text: `${topic}: declared (version ${schema.version}) but no event has been seen`});
			continue;
		}
		const failing = await failingEvents(redis, schema, mine);
		if (failing.count > 0) {
			findings.push({
				kind: 'diverges',
				topic,
				text: `${topic}: ${failing.count} of ${failing.checked} recent events fail the declared schema (version ${schema.version}); first at ${failing.first?.path ?? '/'}: ${failing.first?.message ?? ''}`,
				detail: {failing: failing.count, checked: failing.checked, first: failing.first},
			});
		}
		if (schema.compat === 'none') continue;
		for (const entry of mine) {
			if (entry.nonJson) continue;
			const verdict = checkCompatibility(schema.schema, entry.schema, schema.compat);
			if (verdict.compatible) continue;
			findings.push({
				kind: 'diverges',
				...(entry.type === undefined ? {} : {type: entry.type}),
				topic,
				text: `${label(entry)}: the inferred shape (version ${entry.version}) breaks the declared schema (version ${schema.version}, ${schema.compat}): ${verdict.breaks.map((b) => `${b.path || '/'} ${b.kind}`).join(', ')}`,
				detail: {breaks: verdict.breaks.map(({path, kind, direction, why}) => ({path, kind, direction, why}))},
			});
		}
	}
	return findings;
}

/** The topic's last retained events (or, with no stream, the catalog's samples) that fail `declared`. */
async function failingEvents(redis: Redis, declared: Declared, entries: CatalogEntry[]): Promise<{count: number; checked: number; first?: {path: string; message: string}}> {
	const check = eventChecker(declared);
	const raw = await redis.xrevrange(keys.stream(declared.topic), '+', '-', 'COUNT', auditedEvents).catch(() => []);
	const envelopes = entriesOf(raw).flatMap((e) => (e.envelope ? [e.envelope] : []));
	const datas = envelopes.length > 0 ? envelopes : entries.flatMap((e) => (e.sample === undefined ? [] : [{specversion: '1.0' as const, id: '', source: '', type: declared.topic, time: '', datacontenttype: e.nonJson ? 'text/plain' : 'application/json', data: e.sample}]));
	let count = 0;
	let first: {path: string; message: string} | undefined;
	for (const envelope of datas) {
		const failures = check({envelope, wire: envelope.data});
		if (!failures) continue;
		count++;
		first ??= failures[0];
	}
	return {count, checked: datas.length, ...(first ? {first} : {})};
}
