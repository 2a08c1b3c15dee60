// What a stream entry holds: CloudEvents attribute names, plus the
// correlation and causation extensions that tie a chain of events together.
export type Envelope = {
	specversion: '1.0';
	id: string;
	source: string;
	type: string;
	time: string;
	datacontenttype: string;
	data: string;
	correlationid?: string;
	causationid?: string;
};

/** An event ready to store: the envelope, plus the bytes PUBLISHed as they were posted. */
export type OutgoingEvent = {
	envelope: Envelope;
	/**
	 * What goes out on pub/sub: the body exactly as posted. A Buffer when the
	 * posted bytes are not valid UTF-8, so they still go out byte for byte.
	 */
	wire: string | Buffer;
};

/** The source of events posted to the producer without a ce-source header. */
export const defaultSource = 'eda/api-server';
/** The content type most events carry; the publish script fills it in when left out. */
export const defaultContentType = 'application/json';

/** Parses a stream entry's flat field list back into an envelope. */
export function envelopeFromFields(fields: string[]): Envelope {
	const map: Record<string, string> = {};
	for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i] as string] = fields[i + 1] as string;
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
	};
}
