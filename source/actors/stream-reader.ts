import {envelopeFromFields, type Envelope} from '../topics/envelope.js';

export type StreamEntry = {id: string; envelope: Envelope | undefined};

/**
 * XREAD/XREADGROUP/XAUTOCLAIM replies as entries. An entry whose fields are
 * null was trimmed away while pending: it has no envelope and is only acknowledged.
 */
export function entriesOf(raw: unknown): StreamEntry[] {
	if (!Array.isArray(raw)) return [];
	return raw.map((item) => {
		const [id, fields] = item as [string, string[] | null];
		return {id, envelope: Array.isArray(fields) ? envelopeFromFields(fields) : undefined};
	});
}

/** The entries of the first (only) stream in an XREAD/XREADGROUP reply. */
export function firstStreamEntries(reply: unknown): StreamEntry[] {
	if (!Array.isArray(reply) || reply.length === 0) return [];
	const [, entries] = reply[0] as [string, unknown];
	return entriesOf(entries);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
