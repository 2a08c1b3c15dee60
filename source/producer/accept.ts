import {isUtf8} from 'node:buffer';
import {randomUUID} from 'node:crypto';
import {maxBatchEvents} from '../topics/publish.js';
import {defaultSource, type Envelope, type OutgoingEvent} from '../topics/envelope.js';

/** The parts of an HTTP request that decide what gets stored. */
export type Incoming = {
	contentType: string | undefined;
	body: Buffer;
	header(name: string): string | undefined;
};

export type Accepted = {ok: true; events: OutgoingEvent[]};
export type Refused = {ok: false; status: number; error: string};


type Kind = 'json' | 'cloudevents' | 'text' | 'ndjson' | 'cloudevents-batch';

function kindOf(contentType: string | undefined): Kind | undefined {
	// A missing type is taken as JSON, as curl users expect; charset is ignored.
	const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
	if (type === 'application/cloudevents+json') return 'cloudevents';
	if (type === 'application/cloudevents-batch+json') return 'cloudevents-batch';
	if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
	if (type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type)) return 'json';
	if (type === 'text/plain') return 'text';
	return undefined;
}

function unsupported(contentType: string | undefined, batch: boolean): Refused {
	const allowed = batch
		? 'application/json (an array), application/x-ndjson or application/cloudevents-batch+json'
		: 'application/json, application/cloudevents+json or text/plain';
	return {ok: false, status: 415, error: `unsupported Content-Type "${contentType ?? ''}"; send ${allowed}`};
}

function parseJson(text: string): {value: unknown} | {error: string} {
	if (text.trim() === '') return {error: 'the body is empty; send a JSON value'};
	try {
		return {value: JSON.parse(text)};
	} catch (error) {
		return {error: `invalid JSON: ${(error as Error).message}`};
	}
}

function baseEnvelope(incoming: Incoming, topic: string, data: string, datacontenttype: string): Envelope {
	const correlationid = incoming.header('ce-correlationid') ?? incoming.header('x-correlation-id') ?? incoming.header('correlation-id');
	const causationid = incoming.header('ce-causationid') ?? incoming.header('x-causation-id') ?? incoming.header('causation-id');
	return {
		specversion: '1.0',
		id: incoming.header('ce-id') ?? randomUUID(),
		source: incoming.header('ce-source') ?? defaultSource,
		type: topic,
		time: new Date().toISOString(),
		datacontenttype,
		data,
		...(correlationid ? {correlationid} : {}),
		...(causationid ? {causationid} : {}),
	};
}

/** A structured-mode CloudEvent: its own attributes win over headers. */
function fromCloudEvent(value: unknown, incoming: Incoming, topic: string, wire: string | Buffer): OutgoingEvent | string {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a CloudEvent must be a JSON object';
	const ce = value as Record<string, unknown>;
	for (const name of ['specversion', 'id', 'source', 'type']) {
		if (typeof ce[name] !== 'string' || ce[name] === '') return `the CloudEvent lacks the required attribute "${name}"`;
	}
	const data = ce['data_base64'] !== undefined ? String(ce['data_base64']) : ce['data'] === undefined ? '' : typeof ce['data'] === 'string' ? ce['data'] : JSON.stringify(ce['data']);
	const base = baseEnvelope(incoming, topic, data, typeof ce['datacontenttype'] === 'string' ? ce['datacontenttype'] : 'application/json');
	const text = (name: string) => (typeof ce[name] === 'string' && ce[name] !== '' ? (ce[name] as string) : undefined);
	return {
		wire,
		envelope: {
			...base,
			id: text('id') ?? base.id,
			source: text('source') ?? base.source,
			time: text('time') ?? base.time,
			...(text('correlationid') ? {correlationid: text('correlationid')} : {}),
			...(text('causationid') ? {causationid: text('causationid')} : {}),
		},
	};
}

/** The posted bytes for pub/sub: the text when it decodes losslessly, else the raw bytes. */
function wireOf(body: Buffer, text: string): string | Buffer {
	return isUtf8(body) ? text : body;
}

/** One event from one request body. */
export function acceptOne(incoming: Incoming, topic: string): Accepted | Refused {
	const kind = kindOf(incoming.contentType);
	const text = incoming.body.toString('utf8');
	if (kind === 'text') {
		if (text === '') return {ok: false, status: 400, error: 'the body is empty'};
		return {ok: true, events: [{wire: wireOf(incoming.body, text), envelope: baseEnvelope(incoming, topic, text, 'text/plain')}]};
	}
	if (kind !== 'json' && kind !== 'cloudevents') return unsupported(incoming.contentType, false);
	const parsed = parseJson(text);
	if ('error' in parsed) return {ok: false, status: 400, error: parsed.error};
	if (kind === 'cloudevents') {
		const event = fromCloudEvent(parsed.value, incoming, topic, wireOf(incoming.body, text));
		return typeof event === 'string' ? {ok: false, status: 400, error: event} : {ok: true, events: [event]};
	}
	return {ok: true, events: [{wire: wireOf(incoming.body, text), envelope: baseEnvelope(incoming, topic, text, 'application/json')}]};
}

/** Many events from one body: a JSON array, NDJSON, or a CloudEvents batch. */
export function acceptBatch(incoming: Incoming, topic: string): Accepted | Refused {
	const kind = kindOf(incoming.contentType);
	const text = incoming.body.toString('utf8');
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
	} else if (kind === 'json' || kind === 'cloudevents-batch') {
		const parsed = parseJson(text);
		if ('error' in parsed) return {ok: false, status: 400, error: parsed.error};
		if (!Array.isArray(parsed.value)) return {ok: false, status: 400, error: 'a batch must be a JSON array of events'};
		items = parsed.value;
	} else {
		return unsupported(incoming.contentType, true);
	}
	if (items.length === 0) return {ok: false, status: 400, error: 'the batch is empty'};
	if (items.length > maxBatchEvents) return {ok: false, status: 413, error: `the batch holds ${items.length} events; at most ${maxBatchEvents} go in one request`};
	const events: OutgoingEvent[] = [];
	if (kind === 'cloudevents-batch') {
		for (let i = 0; i < items.length; i++) {
			const event = fromCloudEvent(items[i], incoming, topic, JSON.stringify(items[i]));
			if (typeof event === 'string') return {ok: false, status: 400, error: `event ${i + 1}: ${event}`};
			events.push(event);
		}
		return {ok: true, events};
	}
	// Headers, source and time are the request's: read them once, not per event.
	const base = baseEnvelope(incoming, topic, '', 'application/json');
	for (let i = 0; i < items.length; i++) {
		const wire = wires?.[i] ?? JSON.stringify(items[i]);
		events.push({wire, envelope: {...base, id: randomUUID(), data: wire}});
	}
	return {ok: true, events};
}
