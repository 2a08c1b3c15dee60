import {givenAttributesLine, type Envelope} from '../topics/envelope.js';
import {safeJson, sanitize} from '../text/index.js';

/**
 * Where an actor's lines go. Actors call `emit` with the article's text lines
 * and one structured record; the headless commands print either the lines
 * (sanitized) or the record as JSON, the dashboard keeps the lines in its log.
 */
export type ActorOutput = {
	emit(actor: string, lines: string[], record: Record<string, unknown>): void;
};

export function consoleOutput(json: boolean, write: (text: string) => void = (t) => process.stdout.write(t)): ActorOutput {
	return {
		emit(actor, lines, record) {
			if (json) write(`${safeJson({actor, ...record})}\n`);
			else for (const line of lines) write(`${sanitize(line)}\n`);
		},
	};
}

/** The article's two lines for an event read from a stream, plus a line of the attributes its producer gave, when any. */
export function receivedLines(topic: string, envelope: Envelope): string[] {
	const lines = [`Received event on topic: ${topic}`, `Event data: ${envelope.data}`];
	const given = givenAttributesLine(envelope, topic);
	if (given) lines.push(given);
	return lines;
}
