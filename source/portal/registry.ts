// The declared side of the portal: the schema versions registered for a
// topic, kept in Redis so every producer on that Redis enforces the same ones.
// A topic's versions are one LIST (version 1 first, never rewritten); a
// registration appends to it in one script that also publishes on
// eda:portal:schemas, so producers drop their cached version at once
// (enforce.ts). The compatibility check is made here, against the latest
// version, and the script appends only when the list still has the length
// the check saw: two registrations racing cannot both pass against the same
// previous version.
import type {Redis} from 'ioredis';
import {luaNowMs} from '../redis/clock.js';
import {keys} from '../redis/keys.js';
import {LuaScript} from '../redis/script.js';
import {topicError} from '../topics/names.js';
import {checkCompatibility, type Break, type CompatMode} from './compat.js';
import type {JsonSchema} from './infer.js';
import {checkSchema} from './limits.js';

export type EnforceMode = 'enforce' | 'warn';

export type Declared = {topic: string; version: number; schema: JsonSchema; compat: CompatMode; mode: EnforceMode; registeredAt: number};

export const compatModes: readonly CompatMode[] = ['backward', 'forward', 'full', 'none'];
export const enforceModes: readonly EnforceMode[] = ['enforce', 'warn'];
/** As in Confluent's registry. */
export const defaultCompat: CompatMode = 'backward';
export const defaultMode: EnforceMode = 'enforce';

// KEYS[1] -> eda:{<topic>}:schema:versions
// ARGV[1] -> the number of versions the compatibility check was made against
// ARGV[2] -> topic, ARGV[3] -> schema JSON, ARGV[4] -> compat, ARGV[5] -> mode, ARGV[6] -> channel
// Returns {'ok', version, record} or {'moved', versions now}. The record is
// built by concatenation so the schema's JSON is stored as given (cjson would
// turn an empty array into an object).
const registerScript = new LuaScript(`${luaNowMs}
local n = redis.call('LLEN', KEYS[1])
if n ~= tonumber(ARGV[1]) then return {'moved', n} end
local version = n + 1
local record = '{"topic":' .. cjson.encode(ARGV[2]) .. ',"version":' .. version .. ',"schema":' .. ARGV[3] ..
  ',"compat":' .. cjson.encode(ARGV[4]) .. ',"mode":' .. cjson.encode(ARGV[5]) .. ',"registeredAt":' .. now .. '}'
redis.call('RPUSH', KEYS[1], record)
redis.call('PUBLISH', ARGV[6], cjson.encode({topic = ARGV[2], version = version}))
return {'ok', version, record}
`);

function parseDeclared(text: string): Declared {
	return JSON.parse(text) as Declared;
}

/** Every registered version of a topic, version 1 first; empty when none. */
export async function declaredVersions(redis: Redis, topic: string): Promise<Declared[]> {
	return (await redis.lrange(keys.portal.schemaVersions(topic), 0, -1)).map(parseDeclared);
}

export async function latestDeclared(redis: Redis, topic: string): Promise<Declared | undefined> {
	const text = await redis.lindex(keys.portal.schemaVersions(topic), -1);
	return text === null ? undefined : parseDeclared(text);
}

/** Topics with a declared schema, sorted. */
export async function declaredTopics(redis: Redis): Promise<string[]> {
	return (await redis.smembers(keys.portal.declared)).sort();
}

export type RegisterOptions = {compat?: CompatMode; mode?: EnforceMode};

export type Registration =
	/** Stored as `declared.version`; `unchanged` when it equals the latest version (same schema, compat and mode), which is returned instead of a copy. */
	| {ok: true; declared: Declared; unchanged: boolean}
	| {ok: false; reason: 'invalid'; error: string}
	/** Refused: the breaks the chosen compatibility forbids, against `previous`. */
	| {ok: false; reason: 'incompatible'; previous: Declared; compat: CompatMode; breaks: Break[]};

/** What a registration would do, without storing anything: `eda portal check` and the first step of registerSchema. */
export async function checkRegistration(redis: Redis, topic: string, schema: unknown, options: RegisterOptions = {}): Promise<{result: Registration; versions: number}> {
	const compat = options.compat ?? defaultCompat;
	const mode = options.mode ?? defaultMode;
	const badTopic = topicError(topic);
	if (badTopic) return {result: {ok: false, reason: 'invalid', error: badTopic}, versions: 0};
	const checked = checkSchema(schema);
	if ('error' in checked) return {result: {ok: false, reason: 'invalid', error: checked.error}, versions: 0};
	const key = keys.portal.schemaVersions(topic);
	// Length and latest in one round trip, so they describe the same list.
	const [[, length], [, last]] = (await redis.multi().llen(key).lindex(key, -1).exec()) as [[unknown, number], [unknown, string | null]];
	const previous = last === null ? undefined : parseDeclared(last);
	if (previous && JSON.stringify(previous.schema) === JSON.stringify(checked.schema) && previous.compat === compat && previous.mode === mode) {
		return {result: {ok: true, declared: previous, unchanged: true}, versions: length};
	}
	if (previous) {
		const verdict = checkCompatibility(previous.schema, checked.schema, compat);
		if (!verdict.compatible) return {result: {ok: false, reason: 'incompatible', previous, compat, breaks: verdict.breaks}, versions: length};
	}
	const declared: Declared = {topic, version: length + 1, schema: checked.schema, compat, mode, registeredAt: 0};
	return {result: {ok: true, declared, unchanged: false}, versions: length};
}

/**
 * Registers a schema for a topic: checked (limits.ts), compared with the
 * latest version in the chosen compatibility, then appended and announced.
 * Registering what is already the latest version stores nothing.
 */
export async function registerSchema(redis: Redis, topic: string, schema: unknown, options: RegisterOptions = {}): Promise<Registration> {
	// Another registration between the check and the write moves the list: check again against it.
	for (let attempt = 0; attempt < 5; attempt++) {
		const {result, versions} = await checkRegistration(redis, topic, schema, options);
		if (!result.ok) return result;
		if (result.unchanged) {
			// Nothing to store; the set entry is made again in case an earlier registration stopped before it.
			await redis.sadd(keys.portal.declared, topic);
			return result;
		}
		const {declared} = result;
		const reply = (await registerScript.run(redis, [keys.portal.schemaVersions(topic)], [versions, topic, JSON.stringify(declared.schema), declared.compat, declared.mode, keys.portal.schemasChannel])) as [string, number, string?];
		if (reply[0] !== 'ok') continue;
		// The set spans topics (another slot): entered after the version is stored, as the topic index is.
		await redis.sadd(keys.portal.declared, topic);
		return {ok: true, declared: parseDeclared(String(reply[2])), unchanged: false};
	}
	throw new Error(`the schema of ${topic} kept changing while this registration was checked; try again`);
}
