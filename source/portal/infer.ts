// Schema inference from event payloads, GenSON's rules (anchors part 1.6): every
// sample validates against the result, and the result is the strictest such
// schema. Pure: no Redis. The catalog (catalog.ts, watcher.ts) keeps one
// InferenceWindow per topic (and CloudEvents type) and stores what schema() says.
//
// Inside, a schema is a Shape: the set of JSON kinds seen, each with what was
// learnt about it. Shapes merge kind by kind, which keeps the merge commutative
// and associative, so the merged schema does not depend on the order of events.
// They render to JSON Schema (2020-12 subset) with sorted properties and
// required, so equal schemas are equal as JSON text.

/** A JSON Schema (2020-12 subset) as plain JSON. */
export type JsonSchema = {[key: string]: unknown};

/** Objects with more distinct keys than this are recorded as maps (dynamic keys must not grow the schema). */
export const MAP_KEYS = 200;
/** Objects and arrays nested deeper than this are summarised as `{}` with 'x-eda-truncated'. */
export const MAX_DEPTH = 64;

/**
 * The annotation keywords inferred schemas may carry. A validator in strict mode
 * (ajv's default) refuses unknown keywords, so it must be told these
 * (ajv.addKeyword(name) for each); they constrain nothing. Inferred type arrays
 * (["string","null"]) also need ajv's allowUnionTypes: true, or strict mode logs
 * a warning per schema. Checked by hand against ajv 8.20 (2020-12) with
 * ajv-formats 3: an inferred schema accepts every event it was inferred from.
 */
export const edaKeywords = ['x-eda-map', 'x-eda-truncated', 'x-eda-non-json'] as const;

/** What a payload that is not JSON is recorded as. */
export const nonJsonSchema: JsonSchema = Object.freeze({'x-eda-non-json': true});

type ObjectShape = {
	/** Declared properties; empty for a map. */
	properties: Map<string, Shape>;
	/** Keys present in every object seen. */
	required: Set<string>;
	/** For a map: the merged schema of every value. */
	values?: Shape;
};

type Shape = {
	/** Anything at all (`{}`): absorbs every other JSON kind. */
	any?: true;
	truncated?: true;
	nonJson?: true;
	null?: true;
	boolean?: true;
	integer?: true;
	number?: true;
	/** A string; format is kept only while every string matched it. */
	string?: {format?: string};
	object?: ObjectShape;
	/** An array; items is undefined while every array seen was empty. */
	array?: {items?: Shape};
};

// --- formats (a subset of what ajv-formats accepts, so an inferred schema never refuses its own samples) ---

const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const emailPattern =
	/^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function daysIn(year: number, month: number): number {
	if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** RFC 3339 date-time with a real calendar date and clock time (leap seconds are left out). */
function isDateTime(text: string): boolean {
	const m = dateTimePattern.exec(text);
	if (!m) return false;
	const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
	if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
	if (hour > 23 || minute > 59 || second > 59) return false;
	return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

/** The format a string matches, or undefined. Cheap checks first: this runs on every string of every event. */
function formatOf(text: string): string | undefined {
	const n = text.length;
	if (n === 36 && text[8] === '-' && uuidPattern.test(text)) return 'uuid';
	if (n >= 20 && n <= 64 && text[4] === '-' && text[10] !== undefined && isDateTime(text)) return 'date-time';
	if (n >= 5 && n <= 254 && text.includes('@') && emailPattern.test(text)) return 'email';
	return undefined;
}

// --- inference of one value ---

function inferShape(value: unknown, depth: number): Shape {
	if (value === null) return {null: true};
	switch (typeof value) {
		case 'boolean':
			return {boolean: true};
		case 'number':
			return Number.isInteger(value) ? {integer: true} : {number: true};
		case 'string': {
			const format = formatOf(value);
			return {string: format === undefined ? {} : {format}};
		}
		case 'object':
			break;
		default:
			// Not JSON (undefined, functions...): only reachable from inferValue with a non-JSON value.
			return {any: true};
	}
	if (depth >= MAX_DEPTH) return {any: true, truncated: true};
	if (Array.isArray(value)) {
		let items: Shape | undefined;
		for (const element of value) items = mergeOptional(items, inferShape(element, depth + 1));
		return {array: items === undefined ? {} : {items}};
	}
	const record = value as Record<string, unknown>;
	const keys = Object.keys(record);
	if (keys.length > MAP_KEYS) {
		let values: Shape | undefined;
		for (const key of keys) values = mergeOptional(values, inferShape(record[key], depth + 1));
		return {object: {properties: new Map(), required: new Set(), values}};
	}
	const properties = new Map<string, Shape>();
	for (const key of keys) properties.set(key, inferShape(record[key], depth + 1));
	return {object: {properties, required: new Set(keys)}};
}

// --- merge ---

function mergeOptional(a: Shape | undefined, b: Shape | undefined): Shape | undefined {
	if (a === undefined) return b;
	if (b === undefined) return a;
	return mergeShapes(a, b);
}

/** Every value of an object shape, merged: what a map's values are. */
function valuesOf(object: ObjectShape): Shape | undefined {
	let values = object.values;
	for (const shape of object.properties.values()) values = mergeOptional(values, shape);
	return values;
}

function mergeObjects(a: ObjectShape, b: ObjectShape): ObjectShape {
	let union = a.properties.size;
	for (const key of b.properties.keys()) if (!a.properties.has(key)) union++;
	if (a.values !== undefined || b.values !== undefined || union > MAP_KEYS) {
		return {properties: new Map(), required: new Set(), values: mergeOptional(valuesOf(a), valuesOf(b))};
	}
	const properties = new Map(a.properties);
	for (const [key, shape] of b.properties) {
		const mine = properties.get(key);
		properties.set(key, mine === undefined ? shape : mergeShapes(mine, shape));
	}
	const required = new Set<string>();
	for (const key of a.required) if (b.required.has(key)) required.add(key);
	return {properties, required};
}

function mergeStrings(a: {format?: string} | undefined, b: {format?: string} | undefined): {format?: string} | undefined {
	if (a === undefined) return b;
	if (b === undefined) return a;
	return a.format !== undefined && a.format === b.format ? a : {};
}

/** Same kinds, all of them scalars without a format: merging changes nothing (the common case in maps and arrays). */
function sameScalars(a: Shape, b: Shape): boolean {
	return (
		a.object === undefined && b.object === undefined && a.array === undefined && b.array === undefined &&
		a.string?.format === undefined && b.string?.format === undefined && (a.string === undefined) === (b.string === undefined) &&
		a.any === b.any && a.truncated === b.truncated && a.nonJson === b.nonJson && a.null === b.null && a.boolean === b.boolean && a.integer === b.integer && a.number === b.number
	);
}

function mergeShapes(a: Shape, b: Shape): Shape {
	if (a === b || sameScalars(a, b)) return a;
	const out: Shape = {};
	if (a.nonJson || b.nonJson) out.nonJson = true;
	if (a.any || b.any) {
		out.any = true;
		if (a.truncated || b.truncated) out.truncated = true;
		return out;
	}
	if (a.null || b.null) out.null = true;
	if (a.boolean || b.boolean) out.boolean = true;
	// integer with number is number.
	if (a.number || b.number) out.number = true;
	else if (a.integer || b.integer) out.integer = true;
	const string = mergeStrings(a.string, b.string);
	if (string) out.string = string;
	if (a.object && b.object) out.object = mergeObjects(a.object, b.object);
	else if (a.object || b.object) out.object = a.object ?? b.object;
	if (a.array && b.array) out.array = {items: mergeOptional(a.array.items, b.array.items)};
	else if (a.array || b.array) out.array = a.array ?? b.array;
	return out;
}

// --- rendering to JSON Schema ---

/** Sets key on a fresh plain object even when the key is "__proto__" (a JSON key like any other). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
	if (key === '__proto__') Object.defineProperty(target, key, {value, enumerable: true, writable: true, configurable: true});
	else target[key] = value;
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function renderObject(object: ObjectShape, schema: JsonSchema): void {
	if (object.values !== undefined) {
		schema.additionalProperties = render(object.values);
		schema['x-eda-map'] = true;
		return;
	}
	if (object.properties.size === 0) return;
	const properties: JsonSchema = {};
	for (const key of sortedKeys(object.properties)) put(properties, key, render(object.properties.get(key)!));
	schema.properties = properties;
	if (object.required.size > 0) schema.required = [...object.required].sort(byCodePoint);
}

/** The JSON Schema of one group of kinds that a single `type` (string or array) can say. */
function renderTyped(types: string[], shape: Shape): JsonSchema {
	const schema: JsonSchema = {type: types.length === 1 ? types[0] : types};
	if (shape.string?.format !== undefined && types.includes('string')) schema.format = shape.string.format;
	if (shape.object && types.includes('object')) renderObject(shape.object, schema);
	if (shape.array?.items !== undefined && types.includes('array')) schema.items = render(shape.array.items);
	return schema;
}

function scalarTypes(shape: Shape): string[] {
	const types: string[] = [];
	if (shape.string) types.push('string');
	if (shape.number) types.push('number');
	if (shape.integer) types.push('integer');
	if (shape.boolean) types.push('boolean');
	return types;
}

function renderJson(shape: Shape): JsonSchema[] {
	if (shape.any) return [shape.truncated ? {'x-eda-truncated': true} : {}];
	const scalars = scalarTypes(shape);
	const nullable = shape.null ? ['null'] : [];
	const structures = [...(shape.object ? ['object'] : []), ...(shape.array ? ['array'] : [])];
	if (structures.length === 0 && scalars.length + nullable.length === 0) return [];
	// One type (array) says it all unless a structure mixes with another structure or a non-null
	// scalar: then anyOf, one branch per structure and one for the scalars (GenSON's rule).
	if (structures.length === 0 || (structures.length === 1 && scalars.length === 0)) {
		return [renderTyped([...structures, ...scalars, ...nullable], shape)];
	}
	const branches = structures.map((type) => renderTyped([type], shape));
	if (scalars.length + nullable.length > 0) branches.push(renderTyped([...scalars, ...nullable], shape));
	return branches;
}

function render(shape: Shape): JsonSchema {
	const branches = renderJson(shape);
	if (shape.nonJson) branches.push({...nonJsonSchema});
	if (branches.length === 0) return {};
	return branches.length === 1 ? branches[0]! : {anyOf: branches};
}

// --- reading a JSON Schema back (for mergeSchemas on stored schemas) ---

function isSchema(value: unknown): value is JsonSchema {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(schema: unknown, depth = 0): Shape {
	if (!isSchema(schema) || depth > MAX_DEPTH * 2) return {any: true};
	const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
	if (branches && branches.length > 0) {
		let merged: Shape | undefined;
		for (const branch of branches) merged = mergeOptional(merged, parse(branch, depth + 1));
		return merged!;
	}
	if (schema['x-eda-non-json'] === true) return {nonJson: true};
	const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : undefined;
	if (types === undefined) return schema['x-eda-truncated'] === true ? {any: true, truncated: true} : {any: true};
	const shape: Shape = {};
	for (const type of types) {
		if (type === 'null') shape.null = true;
		else if (type === 'boolean') shape.boolean = true;
		else if (type === 'integer') shape.integer = true;
		else if (type === 'number') shape.number = true;
		else if (type === 'string') shape.string = typeof schema.format === 'string' ? {format: schema.format} : {};
		else if (type === 'array') shape.array = schema.items === undefined ? {} : {items: parse(schema.items, depth + 1)};
		else if (type === 'object') shape.object = parseObject(schema, depth);
	}
	if (shape.integer && shape.number) delete shape.integer;
	return shape;
}

function parseObject(schema: JsonSchema, depth: number): ObjectShape {
	if (schema['x-eda-map'] === true || (isSchema(schema.additionalProperties) && !isSchema(schema.properties))) {
		return {properties: new Map(), required: new Set(), values: parse(schema.additionalProperties, depth + 1)};
	}
	const properties = new Map<string, Shape>();
	if (isSchema(schema.properties)) for (const [key, value] of Object.entries(schema.properties)) properties.set(key, parse(value, depth + 1));
	const required = new Set(Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string' && properties.has(key)) : []);
	return {properties, required};
}

// --- the public API ---

/** The strictest schema one JSON value validates against. */
export function inferValue(value: unknown): JsonSchema {
	return render(inferShape(value, 0));
}

/** GenSON merge: a schema every value of either side validates against, as strict as that allows. */
export function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
	return render(mergeShapes(parse(a), parse(b)));
}

/** The shape of one payload: JSON when it parses, else the non-JSON marker. */
function shapeOfPayload(payload: string): Shape {
	let value: unknown;
	try {
		value = JSON.parse(payload);
	} catch {
		return {nonJson: true};
	}
	return inferShape(value, 0);
}

/**
 * The schema of the last `size` events of one topic (or CloudEvents type), so a
 * field that stops coming disappears once its last event leaves the window.
 *
 * Cheap by design: each event's shape is reduced to a key (its canonical
 * schema text), the ring holds keys and a count per distinct key. Only when a
 * distinct shape enters or leaves the window does the merged schema change; the
 * distinct shapes sit in the leaves of a segment tree (one slot each), so that
 * change costs about log2(size) merges, not one merge per distinct shape.
 */
export class InferenceWindow {
	readonly size: number;
	private readonly ring: string[];
	private next = 0;
	private filled = 0;
	private readonly distinct = new Map<string, {key: string; slot: number; count: number}>();
	private readonly free: number[];
	private readonly leaves: number;
	private readonly tree: (Shape | undefined)[];
	/** shapeKey of the merged shape ('' while empty): what add compares to say whether schema() changed. */
	private rootKey = '';
	/** schema() as JSON text, rendered on demand after a change. */
	private text: string | undefined;

	constructor(size = 1000) {
		if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be a positive integer, not ${size}`);
		this.size = size;
		this.ring = new Array<string>(size);
		let leaves = 1;
		while (leaves < size) leaves *= 2;
		this.leaves = leaves;
		this.tree = new Array<Shape | undefined>(2 * leaves);
		// Lowest slots first, so a few distinct shapes stay in one small corner of the tree.
		this.free = Array.from({length: size}, (_, i) => size - 1 - i);
	}

	/** Adds one event's payload (JSON, or not); true when schema() changed. */
	add(payload: string): boolean {
		const shape = shapeOfPayload(payload);
		const key = shapeKey(shape);
		// A slot whose shape just left the window: the entering shape may take it (one tree update, not two).
		let vacated: number | undefined;
		if (this.filled === this.size) {
			const leaving = this.ring[this.next]!;
			if (leaving === key) {
				this.next = (this.next + 1) % this.size;
				return false;
			}
			const entry = this.distinct.get(leaving)!;
			if (--entry.count === 0) {
				this.distinct.delete(leaving);
				vacated = entry.slot;
			}
		} else {
			this.filled++;
		}
		const entry = this.distinct.get(key);
		// The ring keeps the one copy of each key the map holds, not this event's equal copy.
		this.ring[this.next] = entry ? entry.key : key;
		this.next = (this.next + 1) % this.size;
		if (entry) {
			entry.count++;
			if (vacated === undefined) return false;
			this.setSlot(vacated, undefined);
			this.free.push(vacated);
		} else {
			const slot = vacated ?? this.free.pop()!;
			this.distinct.set(key, {key, slot, count: 1});
			this.setSlot(slot, shape);
		}
		// The distinct shapes changed; the merged schema may not have (a shape already covered by the others).
		const root = this.tree[1];
		const rootKey = root === undefined ? '' : shapeKey(root);
		if (rootKey === this.rootKey) return false;
		this.rootKey = rootKey;
		this.text = undefined;
		return true;
	}

	/** The merged schema of the window (a fresh copy); `{}` while it is empty. Open content model. */
	schema(): JsonSchema {
		const root = this.tree[1];
		this.text ??= root === undefined ? '{}' : JSON.stringify(render(root));
		return JSON.parse(this.text) as JsonSchema;
	}

	/** Events in the window. */
	get count(): number {
		return this.filled;
	}

	/** Distinct shapes in the window (what a membership change re-merges over). */
	get shapes(): number {
		return this.distinct.size;
	}

	private setSlot(slot: number, shape: Shape | undefined): void {
		let i = this.leaves + slot;
		this.tree[i] = shape;
		for (i >>= 1; i >= 1; i >>= 1) this.tree[i] = mergeOptional(this.tree[2 * i], this.tree[2 * i + 1]);
	}
}

/** The keys of a map in code point order; most objects arrive sorted already, so check before sorting. */
function sortedKeys(map: Map<string, unknown>): Iterable<string> {
	let previous: string | undefined;
	for (const key of map.keys()) {
		if (previous !== undefined && previous > key) return [...map.keys()].sort(byCodePoint);
		previous = key;
	}
	return map.keys();
}

/** A canonical text of a shape: equal shapes, equal keys (sorted properties), cheaper than rendering. */
function shapeKey(shape: Shape): string {
	if (shape.any) return shape.truncated ? 'T' : 'A';
	let key = '';
	if (shape.nonJson) key += 'J';
	if (shape.null) key += 'n';
	if (shape.boolean) key += 'b';
	if (shape.integer) key += 'i';
	if (shape.number) key += 'd';
	if (shape.string) key += shape.string.format === undefined ? 's' : `s(${shape.string.format})`;
	if (shape.array) key += shape.array.items === undefined ? 'a' : `a[${shapeKey(shape.array.items)}]`;
	if (shape.object) {
		const object = shape.object;
		if (object.values !== undefined) key += `m<${shapeKey(object.values)}>`;
		else {
			key += 'o{';
			for (const name of sortedKeys(object.properties)) {
				// Length-prefixed names need no escaping to stay unambiguous.
				key += `${name.length}:${name}${object.required.has(name) ? '!' : '?'}${shapeKey(object.properties.get(name)!)},`;
			}
			key += '}';
		}
	}
	return key;
}

/**
 * Events per second of CPU time one window absorbs, adding `samples` round robin
 * for about `seconds` of CPU time (for the bench). CPU time, not wall time, so a
 * busy machine does not halve the figure: it is the rate on one free core.
 */
export function inferenceRate(samples: string[], seconds: number, size?: number): {events: number; seconds: number; rate: number} {
	const window = new InferenceWindow(size);
	const cpu = (): number => {
		const {user, system} = process.cpuUsage();
		return (user + system) / 1e6;
	};
	const started = cpu();
	let events = 0;
	let took = 0;
	while (took < seconds) {
		for (let i = 0; i < 1000; i++) window.add(samples[(events + i) % samples.length]!);
		events += 1000;
		took = cpu() - started;
	}
	return {events, seconds: took, rate: events / took};
}
