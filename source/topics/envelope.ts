// What a stream entry holds: CloudEvents attribute names, plus the
// correlation and causation extensions that tie a chain of events together,
// and every other attribute a producer gave (subject, dataschema, extensions).
export type Envelope = {
	specversion: '1.0';
	id: string;
	source: string;
	/** The producer's type; the topic when none was given. The topic is where the event is stored, never read from here. */
	type: string;
	/** The producer's time, or the time of receipt. Lag and order come from the stream entry id, never from this. */
	time: string;
	datacontenttype: string;
	data: string;
	correlationid?: string;
	causationid?: string;
	subject?: string;
	dataschema?: string;
	/** Extension attributes other than correlationid and causationid, as strings (the stream holds strings). */
	extensions?: Record<string, string>;
};

/** An event ready to store: the envelope, plus the bytes PUBLISHed as they were posted. */
export type OutgoingEvent = {
	envelope: Envelope;
	/** What goes out on pub/sub: the body exactly as posted (always valid UTF-8: others are refused). */
	wire: string | Buffer;
	/**
	 * The data as the producer already parsed it (JSON bodies), so checking it
	 * against a declared schema (portal/enforce.ts) does not parse it again.
	 * Never stored: the stream holds `envelope.data`.
	 */
	parsed?: {value: unknown};
};

/** The source of events posted to the producer without a ce-source header. */
export const defaultSource = 'eda/api-server';
/** The content type most events carry; the publish script fills it in when left out. */
export const defaultContentType = 'application/json';

/** Stream fields that are not extension attributes. */
const named = new Set(['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'data', 'correlationid', 'causationid', 'subject', 'dataschema']);

/** Parses a stream entry's flat field list back into an envelope. */
export function envelopeFromFields(fields: string[]): Envelope {
	const map: Record<string, string> = {};
	let extensions: Record<string, string> | undefined;
	for (let i = 0; i + 1 < fields.length; i += 2) {
		const name = fields[i] as string;
		const value = fields[i + 1] as string;
		if (named.has(name)) map[name] = value;
		else (extensions ??= {})[name] = value;
	}
	return {
		specversion: '1.0',
		id: map['id'] ?? '',
		source: map['source'] ?? '',
		type: map['type'] ?? '',
		time: map['time'] ?? '',
		datacontenttype: map['datacontenttype'] ?? '',
		data: map['data'] ?? '',
		...(map['correlationid'] ? {correlationid: map['correlationid']} : {}),
		...(map['causationid'] ? {causationid: map['causationid']} : {}),
		...(map['subject'] === undefined ? {} : {subject: map['subject']}),
		...(map['dataschema'] === undefined ? {} : {dataschema: map['dataschema']}),
		...(extensions ? {extensions} : {}),
	};
}

/** Every CloudEvents attribute of an envelope (all but the data), flat, as a consumer's --json shows them. */
export function attributesOf(envelope: Envelope): Record<string, string> {
	const {data: _data, extensions, ...attributes} = envelope;
	return {...attributes, ...extensions};
}

/**
 * The attributes a producer gave beyond what every event carries, as one
 * line for a consumer's text output (`type` only when it is not the topic);
 * undefined when there are none, so plain events print as before.
 */
export function givenAttributesLine(envelope: Envelope, topic: string): string | undefined {
	const given: string[] = [];
	if (envelope.type !== topic) given.push(`type=${envelope.type}`);
	if (envelope.subject !== undefined) given.push(`subject=${envelope.subject}`);
	if (envelope.dataschema !== undefined) given.push(`dataschema=${envelope.dataschema}`);
	for (const [name, value] of Object.entries(envelope.extensions ?? {})) given.push(`${name}=${value}`);
	return given.length === 0 ? undefined : `Event attributes: ${given.join(' ')}`;
}

/** Attributes the publish script stores after the fixed ones, as name, value pairs; undefined for a plain event. */
export function extraAttributes(envelope: Envelope, topic: string): string[] | undefined {
	if (envelope.type === topic && envelope.subject === undefined && envelope.dataschema === undefined && envelope.extensions === undefined) return undefined;
	const pairs: string[] = [];
	if (envelope.type !== topic) pairs.push('type', envelope.type);
	if (envelope.subject !== undefined) pairs.push('subject', envelope.subject);
	if (envelope.dataschema !== undefined) pairs.push('dataschema', envelope.dataschema);
	for (const [name, value] of Object.entries(envelope.extensions ?? {})) pairs.push(name, value);
	return pairs;
}
