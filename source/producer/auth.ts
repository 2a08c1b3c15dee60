// Who may call the producer. With a token (--token, --token-file or
// EDA_TOKEN) every route but GET / and GET /healthz needs
// `Authorization: Bearer <token>`. Protected mode, as in Redis: a producer
// bound to more than loopback with no token refuses to start unless told
// --insecure. The token itself is never printed.
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto';
import {closeSync, openSync, readSync} from 'node:fs';
import type {IncomingMessage, RequestListener} from 'node:http';
import type {RequestHandler} from 'express';
import {unreadable} from '../cli/files.js';
import {UserError} from '../errors.js';
import {isLoopbackHost} from '../net/loopback.js';

export type ProducerAuth = {
	/** Required from every caller when set. */
	token?: string;
	/** Serve a non-loopback address without a token, knowingly. */
	insecure?: boolean;
};

/** Routes anyone may call: the usage text and the health check (probes send no token). */
export const publicRoutes: readonly {method: string; path: string}[] = [
	{method: 'GET', path: '/'},
	{method: 'GET', path: '/healthz'},
];

type TokenFlags = {token?: string; tokenFile?: string; insecure?: boolean};

/** A token as an HTTP header can carry it: printable ASCII, no spaces. */
function checkToken(token: string, from: string): string {
	if (token === '') throw new UserError(`${from}: the token is empty`, 2);
	if (!/^[\x21-\x7E]+$/.test(token)) throw new UserError(`${from}: the token may hold only printable ASCII without spaces (it travels in an HTTP header)`, 2);
	return token;
}

/** A token file holds one token; reading stops past this, so /dev/zero or a huge file can't hang the start. */
const maxTokenFileBytes = 4096;

/** At most `limit` bytes of a file, as UTF-8 text. */
function readBounded(file: string, limit: number): string {
	const fd = openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(limit);
		let length = 0;
		while (length < limit) {
			const n = readSync(fd, buffer, length, limit - length, null);
			if (n === 0) break;
			length += n;
		}
		return buffer.subarray(0, length).toString('utf8');
	} finally {
		closeSync(fd);
	}
}

/** The token from --token, --token-file or EDA_TOKEN (in that order); the file's trailing newline is dropped. */
export function tokenFromFlags(flags: TokenFlags, env: NodeJS.ProcessEnv = process.env): string | undefined {
	if (flags.token !== undefined && flags.tokenFile !== undefined) throw new UserError('give --token or --token-file, not both', 2);
	if (flags.token !== undefined) return checkToken(flags.token, '--token');
	if (flags.tokenFile !== undefined) {
		let text: string;
		try {
			text = readBounded(flags.tokenFile, maxTokenFileBytes + 1);
		} catch (error) {
			throw new UserError(`--token-file ${flags.tokenFile}: ${unreadable(error)}`, 2);
		}
		if (Buffer.byteLength(text) > maxTokenFileBytes) throw new UserError(`--token-file ${flags.tokenFile}: longer than ${maxTokenFileBytes} bytes; a token file holds one token`, 2);
		return checkToken(text.replace(/\r?\n$/, ''), `--token-file ${flags.tokenFile}`);
	}
	const fromEnv = env['EDA_TOKEN'];
	if (fromEnv !== undefined && fromEnv !== '') return checkToken(fromEnv, 'EDA_TOKEN');
	return undefined;
}

/** Throws the usage error of protected mode when `host` is not loopback and nothing guards it. */
export function checkProtectedMode(host: string, auth: ProducerAuth): void {
	if (auth.token !== undefined || auth.insecure || isLoopbackHost(host)) return;
	const shown = host === '' ? '""' : host;
	throw new UserError(
		`--host ${shown} would let anyone who can reach the port publish and schedule events, and no token is set: give one with --token (or --token-file, EDA_TOKEN), or pass --insecure to accept the risk knowingly`,
		2,
	);
}

/** The flags' token and --insecure, checked against the host the producer will bind. */
export function producerAuth(flags: TokenFlags, host: string, env: NodeJS.ProcessEnv = process.env): ProducerAuth {
	const auth: ProducerAuth = {token: tokenFromFlags(flags, env), insecure: flags.insecure ?? false};
	checkProtectedMode(host, auth);
	return auth;
}

/** The warning when the producer is open to more than this machine (--insecure, no token); undefined otherwise. */
export function insecureWarning(host: string, auth: ProducerAuth): string | undefined {
	if (auth.token !== undefined || isLoopbackHost(host)) return undefined;
	return `Warning: --insecure: the producer listens on ${host === '' ? 'every address' : host} with no token; anyone who can reach it can publish and schedule events`;
}

/** The header a client of the producer sends: none without a token. */
export function authHeaders(token: string | undefined): Record<string, string> {
	return token === undefined ? {} : {authorization: `Bearer ${token}`};
}

const isPublic = (method: string, path: string) => {
	const get = method === 'GET' || method === 'HEAD';
	// Matched as express matches routes: case-insensitive, an optional trailing slash.
	return get && (path === '/' || /^\/healthz\/?$/i.test(path));
};

/** Whether a request may pass: a public route, or the right token (compared in constant time, see requireToken). */
function tokenAllows(token: string): (req: IncomingMessage) => {ok: true} | {ok: false; given: string | undefined; header: string | undefined} {
	const key = randomBytes(32);
	const digest = (value: string) => createHmac('sha256', key).update(value, 'utf8').digest();
	const expected = digest(token);
	return (req) => {
		// The path as express matches routes: the URL without its query.
		if (isPublic(req.method ?? '', (req.url ?? '').split('?')[0] ?? '')) return {ok: true};
		const header = req.headers.authorization;
		const given = header === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(header)?.[1];
		if (given !== undefined && timingSafeEqual(digest(given), expected)) return {ok: true};
		return {ok: false, given, header};
	};
}

/** Why a request was refused, in the caller's terms (never echoing what it sent). */
function refusal(verdict: {given: string | undefined; header: string | undefined}): string {
	if (verdict.given !== undefined) return 'wrong token; nothing was stored';
	if (verdict.header !== undefined) return 'the Authorization header is not "Bearer <token>"; nothing was stored (the producer was started with --token)';
	return 'no token; nothing was stored: send Authorization: Bearer <token> (the producer was started with --token)';
}

/**
 * 401 unless the request carries the token. Compared in constant time: both
 * sides go through an HMAC with a key made at start, so the comparison takes
 * the same time whatever the length or the first wrong byte of the guess.
 */
export function requireToken(token: string): RequestHandler {
	const allows = tokenAllows(token);
	return (req, res, next) => {
		const verdict = allows(req);
		if (verdict.ok) {
			next();
			return;
		}
		res.status(401)
			.set('WWW-Authenticate', 'Bearer realm="eda"')
			.json({error: refusal(verdict)});
	};
}

/**
 * For the server's 'checkContinue': Node answers `Expect: 100-continue` with
 * "100 Continue" before any route runs, which asks a caller the token check
 * will refuse to send its whole body first. Only a caller it lets through
 * hears "go ahead"; the others get their 401 straight away.
 */
export function continueIfAllowed(handler: RequestListener, token: string | undefined): RequestListener {
	const allows = token === undefined ? undefined : tokenAllows(token);
	return (req, res) => {
		if (!allows || allows(req).ok) res.writeContinue();
		handler(req, res);
	};
}
