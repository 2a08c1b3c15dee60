// AsyncAPI 3.0 out and in. Out: a document of what ran on this Redis, one
// channel per topic with its payload schema (declared, or else inferred), an
// example, `send` operations for the producers seen and `receive` ones for each
// consumer group; what AsyncAPI's Redis binding (empty) cannot say goes in
// x-eda-* extensions. In: a team's document, untrusted, read for its channels'
// payload schemas, which registry.ts then declares.
import type {Redis} from 'ioredis';
import YAML from 'yaml';
import {keys} from '../redis/keys.js';
import {maskUrl} from '../text/mask-url.js';
import {topicError} from '../topics/names.js';
import {readCatalog, readConsumers, type CatalogEntry, type Consumers} from './catalog.js';
import type {JsonSchema} from './infer.js';
import {declaredTopics, latestDeclared, type Declared} from './registry.js';

type Doc = Record<string, unknown>;

/** A component key AsyncAPI accepts (^[A-Za-z0-9_-]+$), unique among `taken`. */
function idFor(name: string, taken: Set<string>): string {
	const base = name.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
	let id = base;
	for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
	taken.add(id);
	return id;
}

/**
 * A schema's local references (`#/$defs/x`) point into the schema itself; in
 * the document they would point into the document. Each is rebased onto where
 * the payload sits (`#/channels/c/messages/m/payload/$defs/x`).
 */
function rebase(value: unknown, base: string): unknown {
	if (Array.isArray(value)) return value.map((v) => rebase(v, base));
	if (typeof value !== 'object' || value === null) return value;
	const out: Record<string, unknown> = {};
	for (const [key, child] of Object.entries(value)) {
		if (key === '$ref' && typeof child === 'string' && (child === '#' || child.startsWith('#/'))) out[key] = `${base}${child.slice(1)}`;
		else out[key] = key === 'const' || key === 'enum' || key === 'default' || key === 'examples' ? child : rebase(child, base);
	}
	return out;
}

/** Keywords a payload schema loses on the way out: JSON Schema's own identifiers, which AsyncAPI's schema format does not take. */
function payloadOf(schema: JsonSchema, nonJson: boolean, base: string): JsonSchema {
	if (nonJson) return {type: 'string', description: 'Not JSON: events arrive as text', 'x-eda-non-json': true};
	const {$schema: _schema, $id: _id, ...rest} = schema;
	return rebase(rest, base) as JsonSchema;
}

function example(sample: string | undefined): unknown {
	if (sample === undefined) return undefined;
	try {
		return JSON.parse(sample) as unknown;
	} catch {
		return sample;
	}
}

export type ExportSource = {
	redisUrl: string;
	entries: CatalogEntry[];
	declared: Map<string, Declared>;
	consumers: Map<string, Consumers>;
	/** Events each topic's stream holds now. */
	retained: Map<string, number>;
};

/** Reads everything an export shows. */
export async function exportSource(redis: Redis, redisUrl: string): Promise<ExportSource> {
	const entries = await readCatalog(redis);
	const declaredNames = await declaredTopics(redis);
	const declared = new Map<string, Declared>();
	for (const topic of declaredNames) {
		const latest = await latestDeclared(redis, topic);
		if (latest) declared.set(topic, latest);
	}
	const topics = [...new Set([...entries.map((e) => e.topic), ...declared.keys()])].sort();
	const consumers = await readConsumers(redis, topics);
	const lengths = await Promise.all(topics.map((topic) => redis.xlen(keys.stream(topic)).catch(() => 0)));
	return {redisUrl, entries, declared, consumers, retained: new Map(topics.map((t, i) => [t, lengths[i] ?? 0]))};
}

/** The AsyncAPI 3.0.0 document of `source`. */
export function buildAsyncApi(source: ExportSource): Doc {
	const url = new URL(source.redisUrl);
	const db = url.pathname.length > 1 ? url.pathname : '';
	const server: Doc = {
		host: `${url.hostname}${url.port ? `:${url.port}` : ''}`,
		protocol: 'redis',
		...(db ? {pathname: db} : {}),
		description: `The Redis eda ran on: ${maskUrl(source.redisUrl)}${url.protocol === 'rediss:' ? ' (TLS)' : ''}`,
	};
	const channels: Doc = {};
	const operations: Doc = {};
	const channelIds = new Set<string>();
	const operationIds = new Set<string>();
	const topics = [...new Set([...source.entries.map((e) => e.topic), ...source.declared.keys()])].sort();
	for (const topic of topics) {
		const entries = source.entries.filter((e) => e.topic === topic);
		const declared = source.declared.get(topic);
		const consumers = source.consumers.get(topic);
		const channelId = idFor(topic, channelIds);
		const messageIds = new Set<string>();
		const messages: Doc = {};
		const messageOf = new Map<CatalogEntry | undefined, string>();
		const sample = entries.find((e) => e.sample !== undefined)?.sample;
		if (declared) {
			const id = idFor(topic, messageIds);
			const shown = example(sample);
			messages[id] = {
				name: topic,
				contentType: 'application/json',
				payload: payloadOf(declared.schema, false, `#/channels/${channelId}/messages/${id}/payload`),
				...(shown === undefined ? {} : {examples: [{name: 'seen', payload: shown}]}),
				'x-eda-schema': {source: 'declared', version: declared.version, compat: declared.compat, mode: declared.mode},
			};
			for (const entry of entries) messageOf.set(entry, id);
			if (entries.length === 0) messageOf.set(undefined, id);
		} else {
			for (const entry of entries) {
				const id = idFor(entry.type ?? topic, messageIds);
				const shown = example(entry.sample);
				messages[id] = {
					name: entry.type ?? topic,
					contentType: entry.nonJson ? 'text/plain' : 'application/json',
					payload: payloadOf(entry.schema, entry.nonJson === true, `#/channels/${channelId}/messages/${id}/payload`),
					...(shown === undefined ? {} : {examples: [{name: 'seen', payload: shown}]}),
					'x-eda-schema': {source: 'inferred', version: entry.version, events: entry.count},
				};
				messageOf.set(entry, id);
			}
		}
		const transport = entries[0]?.transport ?? 'stream';
		channels[channelId] = {
			address: topic,
			title: topic,
			messages,
			'x-eda-transport': transport === 'stream' ? 'stream and pub/sub' : 'pub/sub only',
			...(transport === 'stream' ? {'x-eda-stream': keys.stream(topic), 'x-eda-retention': {retained: source.retained.get(topic) ?? 0, trimming: "MAXLEN ~ the producer's --retain"}} : {}),
			'x-eda-groups': (consumers?.groups ?? []).map((g) => ({name: g.name, lag: g.lag ?? null, pending: g.pending, consumers: g.consumers})),
			'x-eda-subscribers': consumers?.subscribers ?? 0,
			...(entries.length > 0
				? {'x-eda-seen': {first: new Date(Math.min(...entries.map((e) => e.firstSeen))).toISOString(), last: new Date(Math.max(...entries.map((e) => e.lastSeen))).toISOString(), events: entries.reduce((n, e) => n + e.count, 0)}}
				: {}),
		};
		const ref = {$ref: `#/channels/${channelId}`};
		const messageRef = (id: string) => ({$ref: `#/channels/${channelId}/messages/${id}`});
		const producers = new Map<string, {count: number; messages: Set<string>}>();
		for (const entry of entries) {
			for (const [name, count] of Object.entries(entry.producers)) {
				const producer = producers.get(name) ?? {count: 0, messages: new Set<string>()};
				producer.count += count;
				producer.messages.add(messageOf.get(entry) ?? '');
				producers.set(name, producer);
			}
		}
		for (const [name, producer] of producers) {
			operations[idFor(`send_${topic}_${name}`, operationIds)] = {
				action: 'send',
				channel: ref,
				title: `${name} publishes to ${topic}`,
				messages: [...producer.messages].filter(Boolean).map(messageRef),
				'x-eda-producer': name,
				'x-eda-events': producer.count,
			};
		}
		if (producers.size === 0 && entries.length > 0) {
			operations[idFor(`send_${topic}`, operationIds)] = {
				action: 'send',
				channel: ref,
				title: `publishers of ${topic} (pub/sub carries no source)`,
				messages: Object.keys(messages).map(messageRef),
			};
		}
		for (const group of consumers?.groups ?? []) {
			operations[idFor(`receive_${topic}_${group.name}`, operationIds)] = {
				action: 'receive',
				channel: ref,
				title: `consumer group ${group.name}`,
				messages: Object.keys(messages).map(messageRef),
				'x-eda-group': group.name,
				'x-eda-lag': group.lag ?? null,
			};
		}
	}
	return {
		asyncapi: '3.0.0',
		info: {
			title: 'eda event portal',
			version: '1.0.0',
			description: 'What ran on this Redis, as the eda portal saw it: inferred from the traffic unless a schema was declared.',
		},
		defaultContentType: 'application/json',
		servers: {redis: server},
		channels,
		operations,
	};
}

// Schemas and samples carry network text. YAML and JSON escape C0 controls
// but write C1 controls (\x9b is CSI) and bidi overrides raw, and the document
// may go to a terminal: those are escaped as \uXXXX, which both formats read
// back as the same character inside a double-quoted string.
const rawUnsafe = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const escapeUnsafe = (text: string) => text.replace(rawUnsafe, (ch) => `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);

export function asYaml(doc: Doc): string {
	const yaml = new YAML.Document(doc, {aliasDuplicateObjects: false});
	// Only a double-quoted scalar reads \uXXXX as an escape: strings holding such characters get that style.
	YAML.visit(yaml, {
		Scalar(_key, node) {
			if (typeof node.value === 'string' && /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(node.value)) node.type = 'QUOTE_DOUBLE';
		},
	});
	return escapeUnsafe(yaml.toString({lineWidth: 0}));
}

export function asJson(doc: Doc): string {
	return escapeUnsafe(`${JSON.stringify(doc, null, 2)}\n`);
}

// --- in ---

/** The largest AsyncAPI document read, in bytes. */
export const maxDocumentBytes = 4 * 1024 * 1024;
/** The deepest nesting read in a document. */
export const maxDocumentDepth = 128;

/** A channel to declare, or one left out with why (`skipped`): its messages are not JSON, which eda cannot validate. */
export type ImportedChannel = {topic: string; schema: JsonSchema; where: string; skipped?: string};

const segment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class DocumentError extends Error {}

/** Depth of nesting, iteratively (a hostile document must not exhaust the stack), with where it first passes `limit`. */
function tooDeep(value: unknown, limit: number): string | undefined {
	const stack: {value: unknown; depth: number; pointer: string}[] = [{value, depth: 0, pointer: ''}];
	while (stack.length > 0) {
		const item = stack.pop()!;
		if (typeof item.value !== 'object' || item.value === null) continue;
		if (item.depth >= limit) return item.pointer || '/';
		const children = Array.isArray(item.value) ? item.value.map((v, i) => [String(i), v] as const) : Object.entries(item.value);
		for (const [key, child] of children) stack.push({value: child, depth: item.depth + 1, pointer: `${item.pointer}/${segment(key)}`});
	}
	return undefined;
}

/** Follows local `#/...` references; a remote one is refused (nothing is ever fetched). */
function resolver(doc: unknown) {
	const at = (ref: string, where: string): unknown => {
		if (!ref.startsWith('#/')) throw new DocumentError(`${where}: the reference "${ref.slice(0, 200)}" is not local to the document; remote references are refused (nothing is fetched)`);
		let value: unknown = doc;
		for (const raw of ref.slice(2).split('/')) {
			const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
			if (!isObject(value) && !Array.isArray(value)) throw new DocumentError(`${where}: the reference "${ref}" points nowhere`);
			value = (value as Record<string, unknown>)[key];
			if (value === undefined) throw new DocumentError(`${where}: the reference "${ref}" points nowhere`);
		}
		return value;
	};
	/** The value with a top-level $ref followed (chains too, bounded). */
	const deref = (value: unknown, where: string): unknown => {
		for (let hops = 0; isObject(value) && typeof value['$ref'] === 'string'; hops++) {
			if (hops > 32) throw new DocumentError(`${where}: the references go round in a circle`);
			value = at(value['$ref'], where);
		}
		return value;
	};
	/**
	 * A schema with every `$ref` in it replaced by what it points at, so a
	 * registered schema stands alone; a reference into the payload itself
	 * (`base`, as an export writes `$defs`) becomes local to the schema again.
	 */
	const inline = (value: unknown, where: string, base: string, seen: string[] = []): unknown => {
		if (Array.isArray(value)) return value.map((v, i) => inline(v, `${where}/${i}`, base, seen));
		if (!isObject(value)) return value;
		if (typeof value['$ref'] === 'string' && (value['$ref'] === `#${base}` || value['$ref'].startsWith(`#${base}/`))) {
			return {...(inline({...value, $ref: undefined}, where, base, seen) as object), $ref: `#${value['$ref'].slice(base.length + 1)}`};
		}
		if (typeof value['$ref'] === 'string') {
			const ref = value['$ref'];
			if (seen.includes(ref)) throw new DocumentError(`${where}: the schema refers to itself (${ref}); a recursive schema cannot be registered from a document`);
			return inline(at(ref, where), where, base, [...seen, ref]);
		}
		const out: Record<string, unknown> = {};
		for (const [key, child] of Object.entries(value)) {
			if (child === undefined) continue;
			// AsyncAPI's schema extras that JSON Schema 2020-12 (strict) does not take.
			if (key.startsWith('x-') || key === 'example' || key === 'discriminator' || key === 'externalDocs' || key === 'xml') continue;
			out[key] = key === 'const' || key === 'enum' || key === 'default' || key === 'examples' ? child : inline(child, `${where}/${segment(key)}`, base, seen);
		}
		return out;
	};
	return {deref, inline};
}

const jsonSchemaFormats = /^application\/(schema\+json|vnd\.aai\.asyncapi(\+json|\+yaml)?)(;version=.*)?$/;

/**
 * The channels of an AsyncAPI document (3.x, or 2.x) with their payload
 * schemas, ready to register. Throws one clear error naming where the document
 * is wrong: too large, too deep, not YAML or JSON, not AsyncAPI, a remote
 * reference, a payload in a schema format other than JSON Schema.
 */
export function readAsyncApi(text: string): ImportedChannel[] {
	const bytes = Buffer.byteLength(text, 'utf8');
	if (bytes > maxDocumentBytes) throw new DocumentError(`the document is ${bytes} bytes; at most ${maxDocumentBytes} (4 MiB) are read`);
	let doc: unknown;
	try {
		doc = YAML.parse(text, {maxAliasCount: 100, prettyErrors: true, uniqueKeys: true});
	} catch (error) {
		const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
		throw new DocumentError(`the document is not YAML or JSON: ${message}`);
	}
	if (!isObject(doc)) throw new DocumentError('the document is not an AsyncAPI document (an object with asyncapi: 3.0.0)');
	const deep = tooDeep(doc, maxDocumentDepth);
	if (deep) throw new DocumentError(`the document nests deeper than ${maxDocumentDepth} levels (at ${deep})`);
	const version = doc['asyncapi'];
	if (typeof version !== 'string' || !/^[23]\.\d+\.\d+$/.test(version)) throw new DocumentError('/asyncapi: expected an AsyncAPI version such as 3.0.0 (2.x is read too)');
	const channels = doc['channels'];
	if (channels === undefined) return [];
	if (!isObject(channels)) throw new DocumentError('/channels: expected an object of channels');
	const {deref, inline} = resolver(doc);
	const v3 = version.startsWith('3.');
	const out: ImportedChannel[] = [];
	for (const [key, raw] of Object.entries(channels)) {
		const where = `/channels/${segment(key)}`;
		const channel = deref(raw, where);
		if (!isObject(channel)) throw new DocumentError(`${where}: expected a channel object`);
		const address = v3 ? (channel['address'] === undefined ? key : channel['address']) : key;
		// A null address is dynamic: no one topic to declare.
		if (address === null) continue;
		if (typeof address !== 'string') throw new DocumentError(`${where}/address: expected a string`);
		const bad = topicError(address);
		if (bad) throw new DocumentError(`${where}: "${address.slice(0, 200)}" is no eda topic: ${bad}`);
		const found: {message: unknown; where: string}[] = [];
		if (v3) {
			const messages = deref(channel['messages'] ?? {}, `${where}/messages`);
			if (!isObject(messages)) throw new DocumentError(`${where}/messages: expected an object of messages`);
			for (const [id, message] of Object.entries(messages)) found.push({message, where: `${where}/messages/${segment(id)}`});
		} else {
			for (const op of ['publish', 'subscribe']) {
				const operation = deref(channel[op], `${where}/${op}`);
				if (!isObject(operation) || operation['message'] === undefined) continue;
				const message = deref(operation['message'], `${where}/${op}/message`);
				if (isObject(message) && Array.isArray(message['oneOf'])) message['oneOf'].forEach((m, i) => found.push({message: m, where: `${where}/${op}/message/oneOf/${i}`}));
				else found.push({message, where: `${where}/${op}/message`});
			}
		}
		const schemas: JsonSchema[] = [];
		const seen = new Set<string>();
		let notJson: string | undefined;
		for (const {message: rawMessage, where: at} of found) {
			const message = deref(rawMessage, at);
			if (!isObject(message)) throw new DocumentError(`${at}: expected a message object`);
			if (message['payload'] === undefined) continue;
			const contentType = message['contentType'] ?? doc['defaultContentType'];
			if (typeof contentType === 'string' && !/json/i.test(contentType)) {
				notJson = contentType;
				continue;
			}
			let payload = deref(message['payload'], `${at}/payload`);
			let payloadAt = `${at}/payload`;
			const format = message['schemaFormat'] ?? (isObject(payload) && typeof payload['schemaFormat'] === 'string' && 'schema' in payload ? payload['schemaFormat'] : undefined);
			if (v3 && isObject(payload) && typeof payload['schemaFormat'] === 'string' && 'schema' in payload) {
				payload = deref(payload['schema'], `${payloadAt}/schema`);
				payloadAt = `${payloadAt}/schema`;
			}
			if (format !== undefined && (typeof format !== 'string' || !jsonSchemaFormats.test(format))) {
				throw new DocumentError(`${at}: the payload's schemaFormat "${String(format).slice(0, 100)}" is not JSON Schema; eda declares JSON Schema only`);
			}
			if (!isObject(payload)) throw new DocumentError(`${payloadAt}: expected a schema object`);
			const schema = inline(payload, payloadAt, payloadAt) as JsonSchema;
			const text = JSON.stringify(schema);
			if (!seen.has(text)) schemas.push(schema);
			seen.add(text);
		}
		if (schemas.length === 0) {
			if (notJson !== undefined) out.push({topic: address, schema: {}, where, skipped: `its messages are ${notJson.slice(0, 100)}, not JSON`});
			continue;
		}
		const schema = schemas.length === 1 ? (schemas[0] as JsonSchema) : {anyOf: schemas};
		const existing = out.find((c) => c.topic === address);
		if (existing) throw new DocumentError(`${where}: the address "${address}" is also the address of ${existing.where}`);
		out.push({topic: address, schema, where});
	}
	return out;
}

/** Whether an error is one of readAsyncApi's own (a message for the user) rather than a fault. */
export function isDocumentError(error: unknown): error is Error {
	return error instanceof DocumentError;
}
