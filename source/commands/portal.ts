// `eda portal register <topic> <schema.json>` and `eda portal check <topic>
// <schema.json>`: declare a topic's schema (portal/registry.ts), straight
// through Redis, or see what declaring it would do. `--check-retained N` runs
// the schema over the topic's last N retained events and names those it would
// have refused. Exit codes: 0 ok, 1 refused (invalid, incompatible, retained
// events failing) or Redis failed, 2 usage.
import {readUserFile} from '../cli/files.js';
import type {Redis} from 'ioredis';
import type {Flags} from '../cli/flags.js';
import {intFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
import type {Break, CompatMode} from '../portal/compat.js';
import {eventChecker} from '../portal/enforce.js';
import {checkSchemaText, maxSchemaBytes, type Failure} from '../portal/limits.js';
import {checkRegistration, compatModes, enforceModes, registerSchema, type Declared, type EnforceMode, type Registration} from '../portal/registry.js';
import {keys} from '../redis/keys.js';
import {openRedisSession} from '../redis/session.js';
import {envelopeFromFields} from '../topics/envelope.js';
import {topicError} from '../topics/names.js';
import {safeJson, sanitize} from '../text/index.js';

const usage = 'usage: eda portal register|check <topic> <schema.json> [--compat backward|forward|full|none] [--mode enforce|warn] [--check-retained N] [--json]';

/** The most retained events --check-retained reads: XREVRANGE pages of a thousand, bounded. */
export const maxCheckRetained = 100_000;
const page = 1000;
/** Refused retained events printed as text (all of them with --json). */
const shownRefused = 20;

type Options = {action: 'register' | 'check'; topic: string; file: string; compat?: CompatMode; mode?: EnforceMode; checkRetained: number};

function options(args: string[], flags: Flags): Options {
	const [action, topic, file, ...rest] = args;
	if (action !== 'register' && action !== 'check') {
		throw new UserError(action === undefined ? `eda portal needs an action (${usage})` : `eda portal: unknown action "${sanitize(action)}" (${usage})`, 2);
	}
	if (topic === undefined || file === undefined || rest.length > 0) throw new UserError(`eda portal ${action} needs a topic and a schema file (${usage})`, 2);
	const badTopic = topicError(topic);
	if (badTopic) throw new UserError(`eda portal ${action}: ${badTopic}`, 2);
	if (flags.compat !== undefined && !compatModes.includes(flags.compat as CompatMode)) throw new UserError(`--compat: "${sanitize(flags.compat)}" is not one of ${compatModes.join(', ')}`, 2);
	if (flags.mode !== undefined && !enforceModes.includes(flags.mode as EnforceMode)) throw new UserError(`--mode: "${sanitize(flags.mode)}" is not one of ${enforceModes.join(', ')}`, 2);
	const checkRetained = intFlag('check-retained', flags.checkRetained, 0, 1, maxCheckRetained);
	return {action, topic, file, compat: flags.compat as CompatMode | undefined, mode: flags.mode as EnforceMode | undefined, checkRetained};
}

/** The schema file's text; a file that cannot be read is a usage error, one too large is refused before it is read. */
function readSchemaFile(file: string): string {
	return readUserFile(file, maxSchemaBytes, (size) => `the schema is ${size} bytes; at most ${maxSchemaBytes} (256 KiB) are accepted`);
}

export type RetainedRefusal = {id: string; failures: Failure[]};

/** The topic's last `count` retained events (newest first) that `declared` would refuse, and how many were read. */
export async function checkRetained(redis: Redis, declared: Declared, count: number): Promise<{read: number; refused: RetainedRefusal[]}> {
	const check = eventChecker(declared);
	const refused: RetainedRefusal[] = [];
	let read = 0;
	let end = '+';
	while (read < count) {
		const entries = await redis.xrevrange(keys.stream(declared.topic), end, '-', 'COUNT', Math.min(page, count - read));
		if (entries.length === 0) break;
		for (const [id, fields] of entries) {
			const envelope = envelopeFromFields(fields);
			const failures = check({envelope, wire: envelope.data});
			if (failures) refused.push({id, failures});
		}
		read += entries.length;
		// The next page starts just before the oldest entry read (exclusive range).
		end = `(${entries[entries.length - 1]?.[0] ?? '-'}`;
	}
	return {read, refused};
}

const breakLine = (b: Break) => `  ${b.path || '/'}  ${b.kind}  breaks ${b.direction}: ${b.why}${b.openContentTrap ? ' (the open-content-model trap)' : ''}`;

/** The discovered side's actions live in portal-catalog.ts. */
const catalogActions = new Set(['scan', 'watch', 'audit', 'export', 'import']);

export async function run(args: string[], flags: Flags): Promise<number> {
	if (catalogActions.has(args[0] ?? '')) return (await import('./portal-catalog.js')).run(args, flags);
	const opts = options(args, flags);
	const text = readSchemaFile(opts.file);
	const write = (line: string) => process.stdout.write(`${line}\n`);
	const say = (line: string) => write(sanitize(line));
	const checked = checkSchemaText(text);
	if ('error' in checked) {
		if (flags.json) write(safeJson({result: 'invalid', topic: opts.topic, file: opts.file, error: checked.error}));
		throw new UserError(`${opts.file}: ${checked.error}`, 1);
	}

	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => process.stderr.write(`${line}\n`)});
	try {
		const redis = session.connect('eda:portal-cli');
		const {result} = await checkRegistration(redis, opts.topic, checked.schema, opts);
		if (!result.ok) return refusedAnswer(result, opts, flags.json, write, say);
		if (opts.checkRetained > 0) {
			const {read, refused} = await checkRetained(redis, result.declared, opts.checkRetained);
			if (flags.json) {
				for (const r of refused) write(safeJson({retained: r.id, topic: opts.topic, failures: r.failures}));
				write(safeJson({result: refused.length > 0 ? 'retained-refused' : 'retained-ok', topic: opts.topic, read, refused: refused.length}));
			} else {
				say(`Checked the last ${read} retained event(s) of ${opts.topic}: ${refused.length === 0 ? 'none would have been refused' : `${refused.length} would have been refused`}`);
				for (const r of refused.slice(0, shownRefused)) say(`  ${r.id}  ${r.failures[0]?.path ?? '/'} ${r.failures[0]?.message ?? ''}`);
				if (refused.length > shownRefused) say(`  … and ${refused.length - shownRefused} more (--json lists them all)`);
			}
			if (refused.length > 0) {
				if (opts.action === 'register') process.stderr.write(sanitize(`eda: nothing registered: ${refused.length} retained event(s) of ${opts.topic} fail the schema; register without --check-retained to declare it anyway\n`));
				return 1;
			}
		}
		const proposed = result.declared;
		if (opts.action === 'check') {
			const against = result.unchanged ? `it equals version ${proposed.version}` : proposed.version === 1 ? 'it would be version 1' : `it is ${proposed.compat} compatible with version ${proposed.version - 1} and would be version ${proposed.version}`;
			if (flags.json) write(safeJson({result: 'ok', topic: opts.topic, version: proposed.version, unchanged: result.unchanged, compat: proposed.compat, mode: proposed.mode}));
			else say(`${opts.topic}: the schema is valid; ${against}`);
			return 0;
		}
		const registered = await registerSchema(redis, opts.topic, checked.schema, opts);
		if (!registered.ok) return refusedAnswer(registered, opts, flags.json, write, say);
		const d = registered.declared;
		if (flags.json) write(safeJson({result: registered.unchanged ? 'unchanged' : 'registered', topic: d.topic, version: d.version, compat: d.compat, mode: d.mode, registeredAt: d.registeredAt}));
		else if (registered.unchanged) say(`${d.topic}: the schema equals version ${d.version} (compat ${d.compat}, mode ${d.mode}); nothing registered`);
		else say(`Registered ${d.topic} version ${d.version} (compat ${d.compat}, mode ${d.mode}); producers on this Redis enforce it within a second`);
		return 0;
	} finally {
		await session.close();
	}
}

function refusedAnswer(result: Exclude<Registration, {ok: true}>, opts: Options, json: boolean, write: (line: string) => void, say: (line: string) => void): number {
	if (result.reason === 'invalid') {
		if (json) write(safeJson({result: 'invalid', topic: opts.topic, error: result.error}));
		else process.stderr.write(`eda: ${sanitize(result.error)}\n`);
		return 1;
	}
	const {previous, compat, breaks} = result;
	if (json) {
		write(safeJson({result: 'incompatible', topic: opts.topic, compat, against: previous.version, breaks: breaks.map((b) => ({path: b.path, kind: b.kind, direction: b.direction, why: b.why, openContentTrap: b.openContentTrap === true, text: b.text}))}));
	} else {
		say(`${opts.topic}: the schema is not ${compat} compatible with version ${previous.version}${opts.action === 'register' ? '; nothing registered' : ''}:`);
		for (const b of breaks) say(breakLine(b));
	}
	return 1;
}
