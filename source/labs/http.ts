// Small helpers for the labs' HTTP routes. The producer hands every body over
// as raw bytes (it words its own parse errors), so the labs parse theirs here.
import {isUtf8} from 'node:buffer';
import type {Request, Response} from 'express';
import {describeError} from '../errors.js';
import {charsetOf, firstInvalidUtf8, isUtf8Charset, maxJsonDepth, nestsTooDeep} from '../producer/body-checks.js';
import {SchemaRefused} from '../portal/enforce.js';

export class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
	}
}

/** A route a lab answers, for the lab's GET /: what it does and, for a POST, a body that works. */
export type LabRoute = {method: 'GET' | 'POST'; path: string; does: string; body?: string};

/**
 * A ready curl line for a route on `url` (placeholders such as <orderId> are
 * left for the user). The URL is quoted: unquoted, a shell reads ? as a glob
 * and <orderId> as a redirection.
 */
export function curlLine(route: LabRoute, url: string, withToken = false): string {
	// The token itself never goes in a page anyone on the port can read: the line names EDA_TOKEN.
	const auth = withToken ? ' -H "Authorization: Bearer $EDA_TOKEN"' : '';
	if (route.method === 'GET') return `curl${auth} '${url}${route.path}'`;
	const body = route.body === undefined ? '' : ` -H "Content-Type: application/json" -d '${route.body}'`;
	return `curl -X POST${auth}${body} '${url}${route.path}'`;
}

/**
 * The lab's GET /: its own routes, each with a curl line (carrying the token
 * when the producer wants one, `withToken`), then what the api-server answers
 * on the same port.
 */
export function labUsage(command: string, title: string, routes: LabRoute[], url: string, apiUsage: string, withToken = false): string {
	const lines = [`${command}: ${title}`, `Its routes on ${url}:`, ''];
	for (const route of routes) {
		lines.push(`${route.method} ${route.path}`, `  ${route.does}`);
		if (route.body !== undefined) lines.push(`  body: ${route.body}`);
		lines.push(`  ${curlLine(route, url, withToken)}`, '');
	}
	lines.push('The api-server\'s routes answer here too:', apiUsage);
	return lines.join('\n');
}

/** The body as a JSON object, or an HttpError (400, 415) saying what is wrong. */
export function jsonBody(req: Request): Record<string, unknown> {
	const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
	if (type !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(type)) {
		throw new HttpError(415, `unsupported Content-Type "${type}"; send application/json`);
	}
	// The topic routes' rules (producer/body-checks.ts): what a lab stores is text, so a body that would not decode losslessly is refused.
	const charset = charsetOf(req.headers['content-type']);
	if (charset !== undefined && !isUtf8Charset(charset)) throw new HttpError(415, `charset "${charset}" is not supported; send the body as UTF-8 (charset=utf-8 or none)`);
	const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
	if (!isUtf8(bytes)) throw new HttpError(400, `the body is not valid UTF-8 (byte ${firstInvalidUtf8(bytes)} is the first bad one); send JSON as UTF-8`);
	const text = bytes.toString('utf8');
	if (text.trim() === '') throw new HttpError(400, 'the body is empty; send a JSON object');
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		throw new HttpError(400, `invalid JSON: ${describeError(error)}`);
	}
	if (nestsTooDeep(text)) throw new HttpError(400, `the JSON nests deeper than ${maxJsonDepth} levels`);
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'the body must be a JSON object');
	return value as Record<string, unknown>;
}

/**
 * Answers an error: HttpError with its status, an event the declared schema refused 422, anything else as Redis being away (503).
 * `example`: a body that works (JSON text), shown with a bad body's 400 so the right shape is one copy away.
 */
export function sendError(res: Response, error: unknown, example?: string): void {
	if (error instanceof HttpError && error.status === 400 && example !== undefined) {
		res.status(400).json({error: `${error.message}; a body that works: ${example}`, example: JSON.parse(example) as unknown});
	} else if (error instanceof HttpError) res.status(error.status).json({error: error.message});
	else if (error instanceof SchemaRefused) res.status(422).json({error: error.message, failures: error.failures});
	else res.status(503).json({error: `Redis is unavailable, nothing was stored: ${describeError(error)}`});
}
