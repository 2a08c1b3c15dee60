// Schemas come from whoever holds the producer's token or a Redis connection:
// untrusted input. Before one is stored or compiled it must be small (size and
// depth capped), self-contained (only local `#...` references: nothing is
// ever fetched) and valid JSON Schema 2020-12 in ajv's strict mode. Each
// refusal is one message naming where the schema is wrong (a JSON pointer).
import {Ajv2020, type ErrorObject, type ValidateFunction} from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import {edaKeywords, type JsonSchema} from './infer.js';

/** The largest schema accepted, in bytes of its JSON text. */
export const maxSchemaBytes = 256 * 1024;
/** The deepest nesting of objects and arrays accepted in a schema. */
export const maxSchemaDepth = 64;

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Keywords whose value is data, not schema: a `$ref` inside them is not a reference. */
const dataKeywords = new Set(['const', 'enum', 'default', 'examples']);
/** Keywords that reference another schema by URI. */
const refKeywords = new Set(['$ref', '$dynamicRef', '$recursiveRef']);

/** A JSON pointer segment, escaped (RFC 6901). */
const segment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Where a value sits, for messages: "/" for the root. */
const where = (pointer: string) => (pointer === '' ? '/' : pointer);

/** How deep objects and arrays nest in `value`, up to `limit + 1` (not further: deeper is refused anyway). */
function depthOf(value: unknown, limit: number): {depth: number; pointer: string} {
	// Iterative: a hostile schema must not exhaust the call stack before it is refused.
	const stack: Array<{value: unknown; depth: number; pointer: string}> = [{value, depth: 0, pointer: ''}];
	let deepest = {depth: 0, pointer: ''};
	while (stack.length > 0) {
		const item = stack.pop() as {value: unknown; depth: number; pointer: string};
		if (typeof item.value !== 'object' || item.value === null) continue;
		const depth = item.depth + 1;
		if (depth > deepest.depth) deepest = {depth, pointer: item.pointer};
		if (depth > limit) break;
		const entries = Array.isArray(item.value) ? item.value.map((v, i) => [String(i), v] as const) : Object.entries(item.value);
		for (const [key, child] of entries) stack.push({value: child, depth, pointer: `${item.pointer}/${segment(key)}`});
	}
	return deepest;
}

/** The first reference in the schema that is not local (`#` or `#/...`), with where it is. */
function remoteRef(schema: unknown): {pointer: string; ref: string} | undefined {
	const stack: Array<{value: unknown; pointer: string}> = [{value: schema, pointer: ''}];
	while (stack.length > 0) {
		const {value, pointer} = stack.pop() as {value: unknown; pointer: string};
		if (typeof value !== 'object' || value === null) continue;
		if (Array.isArray(value)) {
			value.forEach((child, i) => stack.push({value: child, pointer: `${pointer}/${i}`}));
			continue;
		}
		for (const [key, child] of Object.entries(value)) {
			const at = `${pointer}/${segment(key)}`;
			if (refKeywords.has(key) && typeof child === 'string' && child !== '#' && !child.startsWith('#/')) return {pointer: at, ref: child};
			if (!dataKeywords.has(key)) stack.push({value: child, pointer: at});
		}
	}
	return undefined;
}

/** The pointer of the first object in the schema holding `key`, for ajv's messages that name a keyword but not where it is. */
function findKey(schema: unknown, key: string, pointer = ''): string | undefined {
	if (typeof schema !== 'object' || schema === null) return undefined;
	for (const [name, child] of Array.isArray(schema) ? schema.map((v, i) => [String(i), v] as const) : Object.entries(schema)) {
		if (name === key && !Array.isArray(schema)) return `${pointer}/${segment(name)}`;
		if (dataKeywords.has(name)) continue;
		const found = findKey(child, key, `${pointer}/${segment(name)}`);
		if (found !== undefined) return found;
	}
	return undefined;
}

/**
 * A fresh ajv for one schema version: ajv keeps every schema it compiled (and
 * refuses a second with the same $id), so one instance per version lets an old
 * version be dropped whole. Strict, as the issue asks: unknown keywords and
 * formats are errors, not silently ignored (eda's own x-eda-* annotations
 * are declared). Two of strict's checks are off
 * for reasons of JSON Schema itself: union types (`["string", "null"]`, which
 * inferred schemas use for a field that was sometimes null) and `required`
 * naming a property the schema does not describe (legal, and common with an
 * open content model).
 */
function newAjv(allErrors: boolean): Ajv2020 {
	const ajv = new Ajv2020({strict: true, strictRequired: false, allowUnionTypes: true, allErrors, validateFormats: true});
	addFormats(ajv);
	// The annotations inferred schemas carry (infer.ts): known, so strict mode lets them through; they constrain nothing.
	for (const keyword of edaKeywords) ajv.addKeyword(keyword);
	return ajv;
}

/** One ajv error as a pointer and a message, e.g. {path: '/total', message: 'must be number'}. */
export type Failure = {path: string; message: string};

export function failuresOf(errors: ErrorObject[] | null | undefined, most = 5): Failure[] {
	return (errors ?? []).slice(0, most).map((e) => ({path: where(e.instancePath), message: e.message ?? e.keyword}));
}

/** A validator, or why the schema cannot be compiled (one line naming where). */
export function compileSchema(schema: JsonSchema, allErrors = false): {validate: ValidateFunction} | {error: string} {
	const ajv = newAjv(allErrors);
	// The meta-schema first: its errors carry the pointer into the schema.
	if (!ajv.validateSchema(schema)) {
		const first = ajv.errors?.[0];
		return {error: `the schema is not valid JSON Schema 2020-12: at ${where(first?.instancePath ?? '')}: ${first?.message ?? 'invalid'}`};
	}
	try {
		return {validate: ajv.compile(schema)};
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// "strict mode: unknown keyword: "x"" names no place: find the keyword.
		const keyword = /unknown keyword: "([^"]+)"/.exec(message)?.[1];
		const at = keyword === undefined ? undefined : findKey(schema, keyword);
		return {error: `the schema is refused: ${message}${at === undefined ? '' : ` (at ${at})`}`};
	}
}

/**
 * Every check of an untrusted schema's text, cheapest first: size, JSON,
 * depth, remote references, then ajv. The schema when it passes.
 */
export function checkSchemaText(text: string): {schema: JsonSchema} | {error: string} {
	const bytes = Buffer.byteLength(text, 'utf8');
	if (bytes > maxSchemaBytes) return {error: `the schema is ${bytes} bytes; at most ${maxSchemaBytes} (256 KiB) are accepted`};
	if (text.trim() === '') return {error: 'the schema is empty; send a JSON Schema (a JSON object)'};
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		return {error: `the schema is not JSON: ${(error as Error).message}`};
	}
	return checkSchema(value);
}

/** The checks of checkSchemaText for a value already parsed (an AsyncAPI document's payload). */
export function checkSchema(value: unknown): {schema: JsonSchema} | {error: string} {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return {error: 'a schema must be a JSON object (e.g. {"type": "object"})'};
	const deep = depthOf(value, maxSchemaDepth);
	if (deep.depth > maxSchemaDepth) return {error: `the schema nests deeper than ${maxSchemaDepth} levels (at ${where(deep.pointer)})`};
	const remote = remoteRef(value);
	if (remote) {
		return {error: `the schema refers to "${remote.ref.slice(0, 200)}" at ${remote.pointer}: only local references (#/...) are allowed; eda never fetches a schema`};
	}
	const schema = value as JsonSchema;
	const compiled = compileSchema(schema);
	return 'error' in compiled ? compiled : {schema};
}
