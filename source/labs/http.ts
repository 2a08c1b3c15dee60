// Small helpers for the labs' HTTP routes. The producer hands every body over
// as raw bytes (it words its own parse errors), so the labs parse theirs here.
import type {Request, Response} from 'express';
import {describeError} from '../errors.js';
import {SchemaRefused} from '../portal/enforce.js';

export class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

/** The body as a JSON object, or an HttpError (400, 415) saying what is wrong. */
export function jsonBody(req: Request): Record<string, unknown> {
	const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
	if (type !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(type)) {
		throw new HttpError(415, `unsupported Content-Type "${type}"; send application/json`);
	}
	const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
	if (text.trim() === '') throw new HttpError(400, 'the body is empty; send a JSON object');
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw new HttpError(400, `invalid JSON: ${describeError(error)}`);
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'the body must be a JSON object');
	return value as Record<string, unknown>;
}

/** Answers an error: HttpError with its status, an event the declared schema refused 422, anything else as Redis being away (503). */
export function sendError(res: Response, error: unknown): void {
	if (error instanceof HttpError) res.status(error.status).json({error: error.message});
	else if (error instanceof SchemaRefused) res.status(422).json({error: error.message, failures: error.failures});
	else res.status(503).json({error: `Redis is unavailable, nothing was stored: ${describeError(error)}`});
}
