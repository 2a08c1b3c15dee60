import {createHash, randomUUID} from 'node:crypto';
import type {Envelope, OutgoingEvent} from '../topics/envelope.js';

/**
 * The id of the event a service emits in answer to `causeId`: the same every
 * time, so a redelivered cause (after a crash before the acknowledgement)
 * produces the same event again, and readers drop the repeat by id.
 */
export function answerId(causeId: string, type: string): string {
	const hex = createHash('sha1').update(`${causeId}\n${type}`).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export type LabEventInput = {
	topic: string;
	data: unknown;
	source: string;
	/** Redis ms; becomes the CloudEvents `time`. */
	now: number;
	id?: string;
	correlationid?: string;
	causationid?: string;
};

/** A JSON event as the producer would store it: the body on the wire is the data. */
export function labEvent(input: LabEventInput): OutgoingEvent {
	const data = JSON.stringify(input.data);
	const envelope: Envelope = {
		specversion: '1.0',
		id: input.id ?? randomUUID(),
		source: input.source,
		type: input.topic,
		time: new Date(input.now).toISOString(),
		datacontenttype: 'application/json',
		data,
		...(input.correlationid ? {correlationid: input.correlationid} : {}),
		...(input.causationid ? {causationid: input.causationid} : {}),
	};
	return {envelope, wire: data};
}

/** Redis ms at which a stream entry was added, from its id. */
export function entryMs(entryId: string): number {
	return Number(entryId.split('-')[0]);
}

/** The data of an envelope as a JSON object, or undefined. */
export function jsonObject(data: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(data);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** A short form of an id for lines and tables. */
export function shortId(id: string): string {
	return id.length <= 8 ? id : id.slice(0, 8);
}
