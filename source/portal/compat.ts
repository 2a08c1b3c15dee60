// Field-level schema diffs and Confluent's compatibility verdicts (anchors part 1.5).
// Pure: no Redis. The registry checks a new declared version with it; the catalog
// records, for each new inferred version, what changed and which direction breaks.
//
// Directions, as Confluent Schema Registry defines them:
// - BACKWARD: consumers on the NEW schema read data written with the PREVIOUS one,
//   so every instance valid under the previous schema must be valid under the new.
// - FORWARD: consumers on the PREVIOUS schema read data written with the NEW one,
//   so every instance valid under the new schema must be valid under the previous.
// - FULL: both. NONE: nothing is checked.
// Every verdict below is that instance-set reasoning, done keyword by keyword.
//
// The content model of an object is what its additionalProperties says about
// names it does not declare: open (absent or true: any value), closed (false:
// none), or a schema (a map's values). With an open model, old data may already
// hold a name the new schema adds, with any value: adding a property breaks
// BACKWARD (Confluent issue 1529). Inferred schemas are always open.
import type {JsonSchema} from './infer.js';

export type CompatMode = 'backward' | 'forward' | 'full' | 'none';

/**
 * One difference. kind is one of: property-added, property-removed,
 * became-required, became-optional, type-changed, null-added, null-removed,
 * format-changed, enum-changed, constraint-changed (bounds, pattern...), closed,
 * opened, unsupported-changed.
 */
export type Change = {path: string; kind: string; before?: unknown; after?: unknown; text: string};
export type Break = Change & {direction: 'backward' | 'forward'; why: string; openContentTrap?: boolean};

type Reason = {why: string; openContentTrap?: true};
type Entry = {change: Change; backward?: Reason; forward?: Reason};

/** Nesting deeper than this is not compared (declared schemas are capped well below it by limits.ts). */
const MAX_DEPTH = 128;

const BACKWARD = 'BACKWARD: consumers on the new schema read events written with the previous one';
const FORWARD = 'FORWARD: consumers on the previous schema read events written with the new one';

const allTypes = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];

/** What a schema says, in the terms the diff compares. */
type View = {
	/** JSON types accepted, plus 'non-json' for eda's non-JSON marker. */
	types: Set<string>;
	format?: string;
	properties: Map<string, unknown>;
	required: Set<string>;
	/** 'open', 'closed', or the schema every undeclared property's value must match. */
	additional: 'open' | 'closed' | JsonSchema;
	items?: unknown;
	enum?: unknown[];
	/** Set when the schema uses what this module does not reason about (overlapping anyOf, $ref, allOf...). */
	opaque?: true;
};

function isSchema(value: unknown): value is JsonSchema {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(schema: JsonSchema): string[] | undefined {
	if (typeof schema.type === 'string') return [schema.type];
	if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
	return undefined;
}

function viewOf(schema: unknown): View {
	const view: View = {types: new Set(allTypes), properties: new Map(), required: new Set(), additional: 'open'};
	if (schema === false) return {...view, types: new Set()};
	if (!isSchema(schema)) return view;
	if (schema.$ref !== undefined || schema.allOf !== undefined || schema.not !== undefined || schema.if !== undefined) view.opaque = true;
	const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
	if (branches) return viewOfBranches(branches, view);
	if (schema['x-eda-non-json'] === true) return {...view, types: new Set(['non-json'])};
	const types = typesOf(schema);
	if (types) view.types = new Set(types);
	if (typeof schema.format === 'string') view.format = schema.format;
	if (isSchema(schema.properties)) for (const [key, value] of Object.entries(schema.properties)) view.properties.set(key, value);
	if (Array.isArray(schema.required)) for (const key of schema.required) if (typeof key === 'string') view.required.add(key);
	if (schema.additionalProperties === false) view.additional = 'closed';
	else if (isSchema(schema.additionalProperties)) view.additional = schema.additionalProperties;
	if (schema.items !== undefined) view.items = schema.items;
	if (Array.isArray(schema.enum)) view.enum = schema.enum;
	else if ('const' in schema) view.enum = [schema.const];
	return view;
}

/** anyOf whose branches each take their own types (what inference writes) reads as one schema; else opaque. */
function viewOfBranches(branches: unknown[], base: View): View {
	const view: View = {...base, types: new Set()};
	for (const branch of branches) {
		const part = viewOf(branch);
		const own = isSchema(branch) && (typesOf(branch) !== undefined || branch['x-eda-non-json'] === true);
		if (!own || part.opaque || part.enum || [...part.types].some((t) => view.types.has(t))) return {...base, opaque: true};
		for (const t of part.types) view.types.add(t);
		if (part.types.has('string') && part.format) view.format = part.format;
		if (part.types.has('object')) Object.assign(view, {properties: part.properties, required: part.required, additional: part.additional});
		if (part.types.has('array')) view.items = part.items;
	}
	return view;
}

function accepts(types: Set<string>, type: string): boolean {
	return types.has(type) || (type === 'integer' && types.has('number'));
}

function typeText(types: Set<string>): string {
	if (allTypes.every((t) => accepts(types, t))) return 'any type';
	if (types.size === 0) return 'nothing';
	return [...types].join(' or ');
}

/** RFC 6901: ~ and / escaped in a reference token. */
function pointer(path: string, ...tokens: string[]): string {
	return path + tokens.map((token) => `/${token.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

const quoted = (name: string): string => JSON.stringify(name);

function modelText(model: View['additional']): string {
	if (model === 'open') return 'an open content model (additionalProperties absent or true)';
	if (model === 'closed') return 'a closed content model (additionalProperties:false)';
	return 'additionalProperties set to a schema';
}

/** Does `next` accept every instance `previous` accepts? (the BACKWARD question) */
function widens(previous: unknown, next: unknown, depth: number): boolean {
	const entries: Entry[] = [];
	diffAt(previous, next, '', entries, depth + 1);
	return entries.every((entry) => entry.backward === undefined);
}

function diffAt(previous: unknown, next: unknown, path: string, out: Entry[], depth: number): void {
	if (depth > MAX_DEPTH) return;
	const p = viewOf(previous);
	const n = viewOf(next);
	if (p.opaque || n.opaque) {
		if (JSON.stringify(previous) === JSON.stringify(next)) return;
		const why = 'eda does not reason about $ref, allOf, not, if, or anyOf/oneOf branches that share a type, so any change there counts as breaking';
		out.push({change: {path, kind: 'unsupported-changed', before: previous, after: next, text: `${path || '/'}: schema changed where eda cannot compare it`}, backward: {why}, forward: {why}});
		return;
	}
	diffTypes(p, n, path, out);
	if (accepts(p.types, 'string') && accepts(n.types, 'string')) diffFormat(p, n, path, out);
	if (p.enum || n.enum) diffEnum(p, n, path, out);
	if (isSchema(previous) || isSchema(next)) diffConstraints(isSchema(previous) ? previous : {}, isSchema(next) ? next : {}, path, out);
	if (accepts(p.types, 'object') && accepts(n.types, 'object')) diffObject(p, n, path, out, depth);
	if (accepts(p.types, 'array') && accepts(n.types, 'array') && (p.items !== undefined || n.items !== undefined)) {
		diffAt(p.items ?? {}, n.items ?? {}, pointer(path, 'items'), out, depth + 1);
	}
}

function diffTypes(p: View, n: View, path: string, out: Entry[]): void {
	const at = path || '/';
	if (p.types.has('null') !== n.types.has('null')) {
		if (n.types.has('null')) {
			out.push({
				change: {path, kind: 'null-added', text: `${at}: null is now allowed`},
				forward: {why: `${FORWARD}; new events may carry null here, which the previous schema refuses`},
			});
		} else {
			out.push({
				change: {path, kind: 'null-removed', text: `${at}: null is no longer allowed`},
				backward: {why: `${BACKWARD}; old events may carry null here, which the new schema refuses`},
			});
		}
	}
	const nonNull = (types: Set<string>) => new Set([...types].filter((t) => t !== 'null'));
	const before = nonNull(p.types);
	const after = nonNull(n.types);
	const lost = [...before].filter((t) => !accepts(after, t));
	const gained = [...after].filter((t) => !accepts(before, t));
	if (lost.length === 0 && gained.length === 0) return;
	const entry: Entry = {change: {path, kind: 'type-changed', before: typeText(before), after: typeText(after), text: `${at}: type changed from ${typeText(before)} to ${typeText(after)}`}};
	if (lost.length > 0) entry.backward = {why: `${BACKWARD}; old events may hold ${lost.join(' or ')} here, which the new schema refuses`};
	if (gained.length > 0) entry.forward = {why: `${FORWARD}; new events may hold ${gained.join(' or ')} here, which the previous schema refuses`};
	out.push(entry);
}

function diffFormat(p: View, n: View, path: string, out: Entry[]): void {
	if (p.format === n.format) return;
	const name = (format: string | undefined) => (format === undefined ? 'none' : `'${format}'`);
	const entry: Entry = {change: {path, kind: 'format-changed', before: p.format, after: n.format, text: `${path || '/'}: format changed from ${name(p.format)} to ${name(n.format)}`}};
	if (n.format !== undefined) entry.backward = {why: `${BACKWARD}; old strings need not match format ${name(n.format)}, which the new schema checks`};
	if (p.format !== undefined) entry.forward = {why: `${FORWARD}; new strings need not match format ${name(p.format)}, which the previous schema checks`};
	out.push(entry);
}

function diffEnum(p: View, n: View, path: string, out: Entry[]): void {
	const texts = (values: unknown[] | undefined) => (values === undefined ? undefined : new Set(values.map((value) => JSON.stringify(value))));
	const before = texts(p.enum);
	const after = texts(n.enum);
	const lost = before === undefined ? after !== undefined : [...before].some((value) => after !== undefined && !after.has(value));
	const gained = after === undefined ? before !== undefined : [...after].some((value) => before !== undefined && !before.has(value));
	if (!lost && !gained) return;
	const entry: Entry = {change: {path, kind: 'enum-changed', before: p.enum, after: n.enum, text: `${path || '/'}: allowed values changed`}};
	if (lost) entry.backward = {why: `${BACKWARD}; old events may hold a value the new schema no longer allows`};
	if (gained) entry.forward = {why: `${FORWARD}; new events may hold a value the previous schema does not allow`};
	out.push(entry);
}

const upperBounds = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
const lowerBounds = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
/** Keywords that only ever narrow what is valid; eda compares them as equal or not. */
const narrowing = ['pattern', 'multipleOf', 'uniqueItems', 'patternProperties', 'propertyNames', 'dependentRequired', 'dependentSchemas', 'contains'];

/** Bounds and other constraints: tighter breaks BACKWARD, looser breaks FORWARD, changed otherwise breaks both. */
function diffConstraints(previous: JsonSchema, next: JsonSchema, path: string, out: Entry[]): void {
	for (const keyword of [...upperBounds, ...lowerBounds, ...narrowing]) {
		const before = previous[keyword];
		const after = next[keyword];
		if (JSON.stringify(before) === JSON.stringify(after)) continue;
		let tighter: boolean;
		let looser: boolean;
		if (before === undefined || after === undefined) {
			tighter = before === undefined;
			looser = after === undefined;
		} else if (typeof before === 'number' && typeof after === 'number' && !narrowing.includes(keyword)) {
			const up = upperBounds.includes(keyword);
			tighter = up ? after < before : after > before;
			looser = !tighter;
		} else {
			tighter = true;
			looser = true;
		}
		const shown = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));
		const entry: Entry = {change: {path, kind: 'constraint-changed', before, after, text: `${path || '/'}: ${keyword} changed from ${shown(before)} to ${shown(after)}`}};
		if (tighter) entry.backward = {why: `${BACKWARD}; old events were checked against ${keyword} ${shown(before)}, and the new schema's ${shown(after)} may refuse them`};
		if (looser) entry.forward = {why: `${FORWARD}; new events are checked against ${keyword} ${shown(after)}, and the previous schema's ${shown(before)} may refuse them`};
		out.push(entry);
	}
}

function diffObject(p: View, n: View, path: string, out: Entry[], depth: number): void {
	diffModel(p, n, path, out, depth);
	const names = new Set([...p.properties.keys(), ...n.properties.keys(), ...p.required, ...n.required]);
	for (const name of [...names].sort()) {
		const at = pointer(path, 'properties', name);
		const inPrevious = p.properties.has(name);
		const inNext = n.properties.has(name);
		if (inPrevious && inNext) diffAt(p.properties.get(name), n.properties.get(name), at, out, depth + 1);
		if (inPrevious && !inNext) out.push(removed(name, p, n, at, depth));
		else if (!inPrevious && inNext) out.push(added(name, p, n, at, depth));
		else if (p.required.has(name) && !n.required.has(name)) {
			out.push({
				change: {path: at, kind: 'became-optional', text: `${at}: ${quoted(name)} became optional`},
				forward: {why: `${FORWARD}; new events may leave out ${quoted(name)}, which the previous schema requires`},
			});
		} else if (!p.required.has(name) && n.required.has(name)) {
			out.push({
				change: {path: at, kind: 'became-required', text: `${at}: ${quoted(name)} became required`},
				backward: {why: `${BACKWARD}; old events may leave out ${quoted(name)}, which the new schema requires`},
			});
		}
	}
}

/** The content model itself: closed, opened, or the schema of undeclared values changed. */
function diffModel(p: View, n: View, path: string, out: Entry[], depth: number): void {
	const at = path || '/';
	if (p.additional === 'closed' && n.additional !== 'closed') {
		out.push({
			change: {path, kind: 'opened', before: false, after: n.additional === 'open' ? true : n.additional, text: `${at}: content model opened (additionalProperties no longer false)`},
			forward: {why: `${FORWARD}; new events may carry properties the new schema does not declare, and the previous schema (additionalProperties:false) refuses them`},
		});
	} else if (p.additional !== 'closed' && n.additional === 'closed') {
		out.push({
			change: {path, kind: 'closed', before: p.additional === 'open' ? true : p.additional, after: false, text: `${at}: content model closed (additionalProperties:false)`},
			backward: {why: `${BACKWARD}; old events may carry properties the new schema does not declare, and the new schema (additionalProperties:false) refuses them`},
		});
	} else if (p.additional !== 'closed' && n.additional !== 'closed' && (p.additional !== 'open' || n.additional !== 'open')) {
		diffAt(p.additional === 'open' ? {} : p.additional, n.additional === 'open' ? {} : n.additional, pointer(path, 'additionalProperties'), out, depth + 1);
	}
}

function added(name: string, p: View, n: View, at: string, depth: number): Entry {
	const schema = n.properties.get(name);
	const required = n.required.has(name);
	const entry: Entry = {
		change: {path: at, kind: 'property-added', after: schema, text: `${at}: property ${quoted(name)} added (${required ? 'required' : 'optional'}, ${typeText(viewOf(schema).types)})`},
	};
	// BACKWARD: old events, written under the previous model, meet the new property.
	if (required) {
		entry.backward = {why: `${BACKWARD}; old events need not carry ${quoted(name)}, and the new schema requires it`};
	} else if (p.additional === 'open' && !widens({}, schema, depth)) {
		entry.backward = {
			why:
				`${BACKWARD}; the previous schema has ${modelText('open')}, so old events may already carry ${quoted(name)} with any value, ` +
				`and the new schema says it must be ${typeText(viewOf(schema).types)} (the open-content-model trap, Confluent issue 1529). ` +
				`Fix: declare additionalProperties:false on the original (previous) schema, so old events cannot hold undeclared names`,
			openContentTrap: true,
		};
	} else if (isSchema(p.additional) && !widens(p.additional, schema, depth)) {
		entry.backward = {why: `${BACKWARD}; old events may carry ${quoted(name)} as an undeclared property matching the previous additionalProperties, which the new ${quoted(name)} does not all accept`};
	}
	// FORWARD: new events carry the property; the previous schema judges it by its content model.
	if (p.additional === 'closed') {
		entry.forward = {why: `${FORWARD}; new events may carry ${quoted(name)}, and the previous schema has ${modelText('closed')}, which refuses names it does not declare`};
	} else if (isSchema(p.additional) && !widens(schema, p.additional, depth)) {
		entry.forward = {why: `${FORWARD}; new events may carry ${quoted(name)} with values the previous schema's additionalProperties refuses`};
	}
	return entry;
}

function removed(name: string, p: View, n: View, at: string, depth: number): Entry {
	const schema = p.properties.get(name);
	const required = p.required.has(name);
	const entry: Entry = {
		change: {path: at, kind: 'property-removed', before: schema, text: `${at}: property ${quoted(name)} removed (it was ${required ? 'required' : 'optional'})`},
	};
	// BACKWARD: old events may still carry the property; the new schema judges it by its content model.
	if (n.additional === 'closed') {
		entry.backward = {why: `${BACKWARD}; old events ${required ? 'carry' : 'may carry'} ${quoted(name)}, and the new schema has ${modelText('closed')}, which refuses names it does not declare`};
	} else if (isSchema(n.additional) && !widens(schema, n.additional, depth)) {
		entry.backward = {why: `${BACKWARD}; old events may carry ${quoted(name)} with values the new schema's additionalProperties refuses`};
	}
	// FORWARD: new events may leave the property out, or carry it undeclared.
	if (required) {
		entry.forward = {why: `${FORWARD}; new events need not carry ${quoted(name)}, and the previous schema requires it`};
	} else if (n.additional === 'open' && !widens({}, schema, depth)) {
		entry.forward = {
			why:
				`${FORWARD}; the new schema has ${modelText('open')}, so new events may carry ${quoted(name)} with any value, ` +
				`and the previous schema says it must be ${typeText(viewOf(schema).types)} (the open-content-model trap, Confluent issue 1529). ` +
				`Fix: keep ${quoted(name)} declared, optional, in the new schema (deprecate it rather than remove it); ` +
				`or declare additionalProperties:false so new events cannot carry it (then old events that carry it break BACKWARD)`,
			openContentTrap: true,
		};
	} else if (isSchema(n.additional) && !widens(n.additional, schema, depth)) {
		entry.forward = {why: `${FORWARD}; new events may carry ${quoted(name)} as an undeclared property matching the new additionalProperties, which the previous ${quoted(name)} does not all accept`};
	}
	return entry;
}

function entries(previous: JsonSchema, next: JsonSchema): Entry[] {
	const out: Entry[] = [];
	diffAt(previous, next, '', out, 0);
	return out;
}

/** Every field-level difference, in a stable order (by path as found, properties sorted). */
export function diffSchemas(previous: JsonSchema, next: JsonSchema): Change[] {
	return entries(previous, next).map((entry) => entry.change);
}

/** Every difference that breaks a direction, once per direction it breaks, with why in plain words. */
export function breaks(previous: JsonSchema, next: JsonSchema): Break[] {
	const out: Break[] = [];
	for (const {change, backward, forward} of entries(previous, next)) {
		if (backward) out.push({...change, direction: 'backward', ...backward});
		if (forward) out.push({...change, direction: 'forward', ...forward});
	}
	return out;
}

/** The verdict of one compatibility mode: only the breaks that mode cares about. */
export function checkCompatibility(previous: JsonSchema, next: JsonSchema, mode: CompatMode): {compatible: boolean; breaks: Break[]} {
	if (mode === 'none') return {compatible: true, breaks: []};
	const found = breaks(previous, next).filter((b) => mode === 'full' || b.direction === mode);
	return {compatible: found.length === 0, breaks: found};
}
