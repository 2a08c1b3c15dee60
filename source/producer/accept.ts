import {isUtf8} from 'node:buffer';
import {randomUUID} from 'node:crypto';
import {maxBatchEvents} from '../topics/publish.js';
import {defaultSource, type Envelope, type OutgoingEvent} from '../topics/envelope.js';
import {charsetOf, firstInvalidUtf8, isRfc3339, isUtf8Charset, maxJsonDepth, nestsTooDeep} from './body-checks.js';

/** The parts of an HTTP request that decide what gets stored. */
export type Incoming = {
	contentType: string | undefined;
	body: Buffer;
	header(name: string): string | undefined;
	/** The request's ce-* headers (names lower-case), for binary-mode CloudEvents. */
	ceHeaders?: Array<[string, string]>;
};

export type Accepted = {ok: true; events: OutgoingEvent[]};
export type Refused = {ok: false; status: number; error: string};

type Kind = 'json' | 'cloudevents' | 'text' | 'ndjson' | 'cloudevents-batch';

function kindOf(contentType: string | undefined): Kind | undefined {
	// A missing type is taken as JSON, as curl users expect.
	const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
	if (type === 'application/cloudevents+json') return 'cloudevents';
	if (type === 'application/cloudevents-batch+json') return 'cloudevents-batch';
	if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
	if (isJsonType(type)) return 'json';
	if (type === 'text/plain') return 'text';
	return undefined;
}

/** application/json, or any application/…+json, parameters aside. */
function isJsonType(contentType: string): boolean {
	const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
	return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

function unsupported(contentType: string | undefined, batch: boolean): Refused {
	const allowed = batch
		? 'application/json (an array), application/x-ndjson or application/cloudevents-batch+json'
		: 'application/json, application/cloudevents+json or text/plain';
	return {ok: false, status: 415, error: `unsupported Content-Type "${contentType ?? ''}"; send ${allowed}`};
}

/**
 * The body as text, or why it is refused: a charset other than UTF-8 (415),
 * or bytes that are not UTF-8 (400 naming the first bad byte). The stream
 * holds text, so a body that does not decode losslessly would be stored
 * altered; it is refused instead, and nothing of the request is stored.
 */
function bodyText(incoming: Incoming, kind: Kind): {text: string} | Refused {
	const charset = charsetOf(incoming.contentType);
	if (charset !== undefined && !isUtf8Charset(charset)) {
		return {ok: false, status: 415, error: `charset "${charset}" is not supported; send the body as UTF-8 (charset=utf-8 or none)`};
	}
	if (!isUtf8(incoming.body)) {
		const what = kind === 'text' ? 'text' : 'JSON';
		return {ok: false, status: 400, error: `the body is not valid UTF-8 (byte ${firstInvalidUtf8(incoming.body)} is the first bad one); send ${what} as UTF-8`};
	}
	const text = incoming.body.toString('utf8');
	// A UTF-8 byte order mark before JSON (PowerShell and Notepad write one) is
	// not part of the value (RFC 8259 §8.1 lets a parser ignore it): it is
	// dropped rather than failing the parse. Text keeps every character sent.
	return {text: kind !== 'text' && text.startsWith('\uFEFF') ? text.slice(1) : text};
}

function parseJson(text: string): {value: unknown} | {error: string} {
	if (text.trim() === '') return {error: 'the body is empty; send a JSON value'};
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return {error: `invalid JSON: ${(error as Error).message}`};
	}
	// Deeper values cannot be re-serialized (the stack runs out), so they are refused for every route alike.
	if (nestsTooDeep(text)) return {error: `the JSON nests deeper than ${maxJsonDepth} levels`};
	return {value};
}

/** CloudEvents attribute names: lower-case ASCII letters and digits. */
const attributeName = /^[a-z0-9]+$/;

/**
 * A header's value as text. Node hands header bytes over one character a byte
 * (latin1), so raw UTF-8 (`curl -H 'ce-subject: café'`) would be stored as
 * "cafÃ©": the bytes are read back as UTF-8, and a value that is not UTF-8 is
 * refused (undefined) rather than stored altered, as bodies are.
 */
function headerText(value: string): string | undefined {
	if (!/[\u0080-\uffff]/.test(value)) return value; // ASCII, the common case: nothing to decode
	const bytes = Buffer.from(value, 'latin1');
	return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

const notUtf8Header = (name: string) => `header ${name}: its value is not valid UTF-8; send UTF-8, or percent-encode it (%C3%A9 for é)`;

/** Percent-encoded header values (the HTTP binding's rule for non-ASCII, space, `"` and `%`) decoded; a value that is not valid encoding is kept as sent. */
function headerValue(value: string): string {
	if (!value.includes('%')) return value;
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

/** The attributes of the request's headers: binary-mode ce-* headers and the X- correlation headers. */
function headerAttributes(incoming: Incoming): Partial<Envelope> | string {
	const attributes: Partial<Envelope> = {};
	const correlation = [
		['correlationid', incoming.header('x-correlation-id') === undefined ? 'correlation-id' : 'x-correlation-id'],
		['causationid', incoming.header('x-causation-id') === undefined ? 'causation-id' : 'x-causation-id'],
	] as const;
	for (const [attribute, header] of correlation) {
		const raw = incoming.header(header);
		if (!raw) continue;
		const value = headerText(raw);
		if (value === undefined) return notUtf8Header(header);
		attributes[attribute] = value;
	}
	for (const [header, raw] of incoming.ceHeaders ?? []) {
		const name = header.slice(3);
		const text = headerText(raw);
		if (text === undefined) return notUtf8Header(header);
		const value = headerValue(text);
		if (name === 'specversion') {
			if (value !== '1.0') return `ce-specversion "${value}" is not supported; only CloudEvents 1.0 is`;
		} else if (name === 'time') {
			if (!isRfc3339(value)) return `ce-time "${value}" is not an RFC 3339 time (e.g. 2024-01-02T03:04:05Z)`;
			attributes.time = value;
		} else if (name === 'id' || name === 'source' || name === 'type') {
			if (value !== '') attributes[name] = value;
		} else if (name === 'subject' || name === 'dataschema' || name === 'correlationid' || name === 'causationid') {
			attributes[name] = value;
		} else if (name === 'datacontenttype' || name === 'data' || !attributeName.test(name)) {
			const why = name === 'datacontenttype' ? 'in binary mode the Content-Type header is the datacontenttype' : 'not a CloudEvents attribute name (lower-case letters and digits)';
			return `header ${header}: ${why}`;
		} else (attributes.extensions ??= {})[name] = value;
	}
	return attributes;
}

function envelopeOf(topic: string, data: string, datacontenttype: string, given: Partial<Envelope>): Envelope {
	return {
		specversion: '1.0',
		id: randomUUID(),
		source: defaultSource,
		type: topic,
		time: new Date().toISOString(),
		...given,
		datacontenttype,
		data,
	};
}

/** Structured-mode attributes that are not extensions. */
const coreAttributes = new Set(['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'dataschema', 'subject', 'data', 'data_base64']);

/**
 * A structured-mode CloudEvent: every attribute it gives is kept (its own win
 * over the X- headers); the CloudEvents rules are checked, naming the attribute.
 */
function fromCloudEvent(value: unknown, incoming: Incoming, topic: string, wire: string | Buffer): OutgoingEvent | string {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a CloudEvent must be a JSON object';
	const ce = value as Record<string, unknown>;
	for (const name of ['specversion', 'id', 'source', 'type']) {
		if (typeof ce[name] !== 'string' || ce[name] === '') return `the CloudEvent lacks the required attribute "${name}"`;
	}
	if (ce['specversion'] !== '1.0') return `"specversion" is "${String(ce['specversion'])}"; only CloudEvents 1.0 is supported`;
	for (const name of ['time', 'datacontenttype', 'dataschema', 'subject', 'data_base64']) {
		if (ce[name] !== undefined && ce[name] !== null && typeof ce[name] !== 'string') return `"${name}" must be a string`;
	}
	if (typeof ce['time'] === 'string' && !isRfc3339(ce['time'])) return `"time" "${ce['time']}" is not an RFC 3339 time (e.g. 2024-01-02T03:04:05Z)`;
	const base64 = typeof ce['data_base64'] === 'string' ? ce['data_base64'] : undefined;
	if (base64 !== undefined && ce['data'] !== undefined && ce['data'] !== null) return '"data" and "data_base64" are both given; send one';
	const given = ce['data'];
	// Under a JSON datacontenttype, "data":"123" is the JSON string "123", not the
	// number 123: it is stored encoded so consumers and schemas see a string. Under
	// any other type (text/plain, say) a string is the payload itself.
	const jsonData = isJsonType(typeof ce['datacontenttype'] === 'string' ? ce['datacontenttype'] : 'application/json');
	const data = base64 ?? (given === undefined || given === null ? '' : typeof given === 'string' && !jsonData ? given : JSON.stringify(given));
	const headers = headerAttributes({...incoming, ceHeaders: []});
	if (typeof headers === 'string') return headers;
	const attributes: Partial<Envelope> = headers;
	const text = (name: string) => (typeof ce[name] === 'string' ? (ce[name] as string) : undefined);
	for (const [name, member] of Object.entries(ce)) {
		if (coreAttributes.has(name) || member === null) continue;
		if (!attributeName.test(name)) return `"${name}" is not a CloudEvents attribute name (lower-case letters and digits)`;
		if (typeof member === 'object') return `extension attribute "${name}" must be a string, number or boolean`;
		const value = String(member);
		if (name === 'correlationid' || name === 'causationid') attributes[name] = value;
		else (attributes.extensions ??= {})[name] = value;
	}
	attributes.id = text('id');
	attributes.source = text('source');
	attributes.type = text('type');
	if (text('time') !== undefined) attributes.time = text('time');
	if (text('subject') !== undefined) attributes.subject = text('subject');
	if (text('dataschema') !== undefined) attributes.dataschema = text('dataschema');
	// `data` given as a JSON value (not base64, not text of another type) is the value a schema checks.
	const parsed = base64 === undefined && given !== undefined && given !== null && (typeof given !== 'string' || jsonData) ? {parsed: {value: given}} : {};
	return {wire, envelope: envelopeOf(topic, data, text('datacontenttype') ?? 'application/json', attributes), ...parsed};
}

/** One event from one request body. */
export function acceptOne(incoming: Incoming, topic: string): Accepted | Refused {
	const kind = kindOf(incoming.contentType);
	if (kind !== 'json' && kind !== 'cloudevents' && kind !== 'text') return unsupported(incoming.contentType, false);
	const body = bodyText(incoming, kind);
	if ('ok' in body) return body;
	const {text} = body;
	if (kind === 'text' && text === '') return {ok: false, status: 400, error: 'the body is empty'};
	let parsed: {value: unknown} | undefined;
	if (kind !== 'text') {
		const result = parseJson(text);
		if ('error' in result) return {ok: false, status: 400, error: result.error};
		parsed = result;
	}
	if (kind === 'cloudevents') {
		const event = fromCloudEvent(parsed?.value, incoming, topic, text);
		return typeof event === 'string' ? {ok: false, status: 400, error: event} : {ok: true, events: [event]};
	}
	// Binary mode: the ce-* headers are the attributes and the Content-Type, as sent, the datacontenttype.
	const attributes = headerAttributes(incoming);
	if (typeof attributes === 'string') return {ok: false, status: 400, error: attributes};
	const sent = incoming.contentType?.trim();
	const datacontenttype = sent ? headerText(sent) : kind === 'text' ? 'text/plain' : 'application/json';
	if (datacontenttype === undefined) return {ok: false, status: 400, error: notUtf8Header('content-type')};
	return {ok: true, events: [{wire: text, envelope: envelopeOf(topic, text, datacontenttype, attributes), ...(parsed ? {parsed} : {})}]};
}

/** Many events from one body: a JSON array, NDJSON, or a CloudEvents batch. */
export function acceptBatch(incoming: Incoming, topic: string): Accepted | Refused {
	const kind = kindOf(incoming.contentType);
	if (kind !== 'ndjson' && kind !== 'json' && kind !== 'cloudevents-batch') return unsupported(incoming.contentType, true);
	const ce = incoming.ceHeaders?.[0];
	if (ce) return {ok: false, status: 400, error: `header ${ce[0]}: ce-* headers describe one event (a POST to /topics/<topic>); a batch's events carry their own attributes (application/cloudevents-batch+json)`};
	const body = bodyText(incoming, kind);
	if ('ok' in body) return body;
	const {text} = body;
	let items: unknown[];
	// NDJSON lines are published as posted (trimmed); array items re-serialized.
	let wires: string[] | undefined;
	if (kind === 'ndjson') {
		items = [];
		wires = [];
		const lines = text.split('\n');
		for (let i = 0; i < lines.length; i++) {
			const line = lines[i]?.trim() ?? '';
			if (line === '') continue;
			const parsed = parseJson(line);
			if ('error' in parsed) return {ok: false, status: 400, error: `line ${i + 1}: ${parsed.error}`};
			items.push(parsed.value);
			wires.push(line);
		}
	} else {
		const parsed = parseJson(text);
		if ('error' in parsed) return {ok: false, status: 400, error: parsed.error};
		if (!Array.isArray(parsed.value)) return {ok: false, status: 400, error: 'a batch must be a JSON array of events'};
		items = parsed.value;
	}
	if (items.length === 0) return {ok: false, status: 400, error: 'the batch is empty'};
	if (items.length > maxBatchEvents) return {ok: false, status: 413, error: `the batch holds ${items.length} events; at most ${maxBatchEvents} go in one request`};
	const events: OutgoingEvent[] = [];
	if (kind === 'cloudevents-batch') {
		// The X- correlation headers are the request's: a bad one is refused once, not as event 1's.
		const headers = headerAttributes({...incoming, ceHeaders: []});
		if (typeof headers === 'string') return {ok: false, status: 400, error: headers};
		for (let i = 0; i < items.length; i++) {
			const event = fromCloudEvent(items[i], incoming, topic, JSON.stringify(items[i]));
			if (typeof event === 'string') return {ok: false, status: 400, error: `event ${i + 1}: ${event}`};
			events.push(event);
		}
		return {ok: true, events};
	}
	// Headers, source and time are the request's: read them once, not per event.
	const attributes = headerAttributes(incoming);
	if (typeof attributes === 'string') return {ok: false, status: 400, error: attributes};
	const base = envelopeOf(topic, '', 'application/json', attributes);
	for (let i = 0; i < items.length; i++) {
		const wire = wires?.[i] ?? JSON.stringify(items[i]);
		events.push({wire, envelope: {...base, id: randomUUID(), data: wire}, parsed: {value: items[i]}});
	}
	return {ok: true, events};
}
