// Schema inference (source/portal/infer.ts): GenSON's rules, one test per rule,
// and the window that forgets fields that stop coming. Pure: no Redis.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {edaKeywords, InferenceWindow, inferenceRate, inferValue, MAP_KEYS, MAX_DEPTH, mergeSchemas, nonJsonSchema, type JsonSchema} from '../source/portal/infer.js';

/** The schema a list of values infers to, merged the GenSON way. */
function inferAll(values: unknown[]): JsonSchema {
	return values.map((value) => inferValue(value)).reduce((a, b) => mergeSchemas(a, b));
}

/** The schema a window holds after these payloads. */
function windowOf(payloads: string[], size?: number): InferenceWindow {
	const window = new InferenceWindow(size);
	for (const payload of payloads) window.add(payload);
	return window;
}

describe('inference rules (GenSON)', () => {
	test('scalars infer their JSON type; integers are integer, others number', () => {
		assert.deepEqual(inferValue('x'), {type: 'string'});
		assert.deepEqual(inferValue(3), {type: 'integer'});
		assert.deepEqual(inferValue(3.5), {type: 'number'});
		assert.deepEqual(inferValue(true), {type: 'boolean'});
		assert.deepEqual(inferValue(null), {type: 'null'});
	});

	test('a field is required only when every event had it', () => {
		const schema = inferAll([{a: 1, b: 'x'}, {a: 2}, {a: 3, c: true}]);
		assert.deepEqual(schema, {
			type: 'object',
			properties: {a: {type: 'integer'}, b: {type: 'string'}, c: {type: 'boolean'}},
			required: ['a'],
		});
	});

	test('null becomes part of the type', () => {
		assert.deepEqual(inferAll(['x', null]), {type: ['string', 'null']});
		assert.deepEqual(inferAll([{a: null}, {a: 'y'}]), {type: 'object', properties: {a: {type: ['string', 'null']}}, required: ['a']});
		// A nullable object keeps its properties: a type array says it.
		assert.deepEqual(inferAll([null, {a: 1}]), {type: ['object', 'null'], properties: {a: {type: 'integer'}}, required: ['a']});
	});

	test('integer with number is number', () => {
		assert.deepEqual(inferAll([1, 2.5]), {type: 'number'});
		assert.deepEqual(inferAll([2.5, 1, null]), {type: ['number', 'null']});
	});

	test('nested objects are merged, with required per level', () => {
		const schema = inferAll([{order: {id: 1, lines: 2}}, {order: {id: 2}}]);
		assert.deepEqual(schema, {
			type: 'object',
			properties: {order: {type: 'object', properties: {id: {type: 'integer'}, lines: {type: 'integer'}}, required: ['id']}},
			required: ['order'],
		});
	});

	test('array items are merged over every element of every array; an empty array has no items', () => {
		assert.deepEqual(inferValue([]), {type: 'array'});
		assert.deepEqual(inferValue([{a: 1}, {a: 2, b: 'x'}]), {
			type: 'array',
			items: {type: 'object', properties: {a: {type: 'integer'}, b: {type: 'string'}}, required: ['a']},
		});
		assert.deepEqual(inferAll([[], [1], [2.5]]), {type: 'array', items: {type: 'number'}});
	});

	test('an object or array mixed with another structure or a scalar becomes anyOf', () => {
		assert.deepEqual(inferAll([{a: 1}, 'x']), {anyOf: [{type: 'object', properties: {a: {type: 'integer'}}, required: ['a']}, {type: 'string'}]});
		assert.deepEqual(inferAll([[1], {a: 1}, null]), {
			anyOf: [{type: 'object', properties: {a: {type: 'integer'}}, required: ['a']}, {type: 'array', items: {type: 'integer'}}, {type: 'null'}],
		});
		// Scalars alone never need anyOf.
		assert.deepEqual(inferAll(['x', 1, true]), {type: ['string', 'integer', 'boolean']});
	});

	test('format date-time (RFC 3339) only when every value matched', () => {
		assert.deepEqual(inferValue('2026-12-01T12:00:00Z'), {type: 'string', format: 'date-time'});
		assert.deepEqual(inferValue('2026-12-01T12:00:00.123+05:30'), {type: 'string', format: 'date-time'});
		assert.deepEqual(inferAll(['2026-12-01T12:00:00Z', '2026-12-02T01:02:03Z']), {type: 'string', format: 'date-time'});
		assert.deepEqual(inferAll(['2026-12-01T12:00:00Z', 'soon']), {type: 'string'});
		// Not RFC 3339: no time zone, a date alone, an impossible date or time.
		for (const text of ['2026-12-01T12:00:00', '2026-12-01', '2026-02-30T12:00:00Z', '2026-12-01T24:00:00Z']) {
			assert.deepEqual(inferValue(text), {type: 'string'}, text);
		}
		assert.deepEqual(inferValue('2024-02-29T00:00:00Z'), {type: 'string', format: 'date-time'}, 'a leap day is a date');
	});

	test('format email only when every value matched', () => {
		assert.deepEqual(inferValue('ada@example.com'), {type: 'string', format: 'email'});
		assert.deepEqual(inferAll(['ada@example.com', 'bob@example.org']), {type: 'string', format: 'email'});
		assert.deepEqual(inferAll(['ada@example.com', 'not an email']), {type: 'string'});
		assert.deepEqual(inferValue('ada@localhost'), {type: 'string'}, 'a domain without a dot is not taken for an email');
	});

	test('format uuid only when every value matched', () => {
		assert.deepEqual(inferValue('123e4567-e89b-12d3-a456-426614174000'), {type: 'string', format: 'uuid'});
		assert.deepEqual(inferAll(['123e4567-e89b-12d3-a456-426614174000', '123e4567-e89b-12d3-a456-42661417400z']), {type: 'string'});
		// Two different formats are no format.
		assert.deepEqual(inferAll(['123e4567-e89b-12d3-a456-426614174000', 'ada@example.com']), {type: 'string'});
		// A nullable formatted string keeps its format.
		assert.deepEqual(inferAll(['123e4567-e89b-12d3-a456-426614174000', null]), {type: ['string', 'null'], format: 'uuid'});
	});

	test(`an object with more than ${MAP_KEYS} distinct keys is recorded as a map`, () => {
		const big = Object.fromEntries(Array.from({length: MAP_KEYS + 1}, (_, i) => [`k${i}`, i % 2 ? i : 'x']));
		assert.deepEqual(inferValue(big), {type: 'object', additionalProperties: {type: ['string', 'integer']}, 'x-eda-map': true});
		const small = Object.fromEntries(Array.from({length: MAP_KEYS}, (_, i) => [`k${i}`, i]));
		assert.equal(inferValue(small)['x-eda-map'], undefined, `${MAP_KEYS} keys is still an object`);
	});

	test(`merging objects whose keys together pass ${MAP_KEYS} makes a map, and a map stays a map`, () => {
		const half = (from: number) => Object.fromEntries(Array.from({length: 150}, (_, i) => [`k${from + i}`, from + i]));
		const merged = inferAll([half(0), half(150)]);
		assert.deepEqual(merged, {type: 'object', additionalProperties: {type: 'integer'}, 'x-eda-map': true});
		assert.deepEqual(mergeSchemas(merged, inferValue({k1: 'x'})), {type: 'object', additionalProperties: {type: ['string', 'integer']}, 'x-eda-map': true});
	});

	test('a non-JSON payload is recorded as such', () => {
		const window = windowOf(['hello, not JSON']);
		assert.deepEqual(window.schema(), nonJsonSchema);
		const mixed = windowOf(['plain', '{"a":1}']);
		assert.deepEqual(mixed.schema(), {anyOf: [{type: 'object', properties: {a: {type: 'integer'}}, required: ['a']}, {'x-eda-non-json': true}]});
	});

	test('inferred schemas have an open content model', () => {
		const text = JSON.stringify(inferAll([{a: {b: [{c: 1}]}}, {a: {b: []}, d: 'x'}]));
		assert.doesNotMatch(text, /additionalProperties/);
	});

	test(`JSON nested deeper than ${MAX_DEPTH} levels is summarised, so the schema is bounded`, () => {
		let deep: unknown = 1;
		for (let i = 0; i < 5000; i++) deep = {d: deep};
		const schema = inferValue(deep);
		let node = schema;
		let levels = 0;
		while (node.properties) {
			node = (node.properties as {d: JsonSchema}).d;
			levels++;
		}
		assert.equal(levels, MAX_DEPTH);
		assert.deepEqual(node, {'x-eda-truncated': true});
		// A summary absorbs whatever it is merged with.
		assert.deepEqual(mergeSchemas({'x-eda-truncated': true}, {type: 'string'}), {'x-eda-truncated': true});
		assert.deepEqual(mergeSchemas({}, {'x-eda-truncated': true}), {'x-eda-truncated': true}, 'merged with {}, the summary is still marked');
	});

	test('output is deterministic: properties and required sorted, whatever the order of keys or events', () => {
		const one = inferAll([{b: 1, a: 'x', c: null}, {c: 2, a: 'y'}]);
		const two = inferAll([{a: 'y', c: 2}, {c: null, a: 'x', b: 1}]);
		assert.equal(JSON.stringify(one), JSON.stringify(two));
		assert.deepEqual(Object.keys(one.properties as object), ['a', 'b', 'c']);
		assert.deepEqual(one.required, ['a', 'c']);
	});

	test('every extension keyword an inferred schema can carry is listed for validators', () => {
		let deep: unknown = 1;
		for (let i = 0; i <= MAX_DEPTH; i++) deep = [deep];
		const big = Object.fromEntries(Array.from({length: MAP_KEYS + 1}, (_, i) => [`k${i}`, deep]));
		const text = JSON.stringify(windowOf(['not JSON', JSON.stringify(big)]).schema());
		const used = new Set(text.match(/"x-[^"]*"/g)?.map((key) => JSON.parse(key) as string));
		assert.deepEqual([...used].sort(), [...edaKeywords].sort());
	});

	test('a property named __proto__ is a property like any other', () => {
		const schema = inferValue(JSON.parse('{"__proto__": {"x": 1}, "a": 2}'));
		assert.deepEqual(Object.keys(schema.properties as object), ['__proto__', 'a']);
		assert.equal(Object.getPrototypeOf(schema.properties), Object.prototype);
		assert.deepEqual(schema.required, ['__proto__', 'a']);
	});
});

describe('the window: the last N events', () => {
	test('a field that stops coming disappears once its last event leaves the window', () => {
		const window = new InferenceWindow(3);
		assert.equal(window.add('{"a":1,"old":true}'), true);
		assert.deepEqual(window.schema(), {type: 'object', properties: {a: {type: 'integer'}, old: {type: 'boolean'}}, required: ['a', 'old']});
		assert.equal(window.add('{"a":2}'), true, 'old became optional');
		assert.equal(window.add('{"a":3}'), false);
		assert.equal(window.add('{"a":4}'), true, 'the event with old left the window');
		assert.deepEqual(window.schema(), {type: 'object', properties: {a: {type: 'integer'}}, required: ['a']});
		assert.equal(window.count, 3);
	});

	test('add says true only when the schema changed', () => {
		const window = new InferenceWindow(10);
		assert.equal(window.add('{"a":1}'), true);
		assert.equal(window.add('{"a":2}'), false, 'same shape');
		assert.equal(window.add('{"a":2.5}'), true, 'integer widened to number');
		assert.equal(window.add('{"a":3}'), false, 'an integer is already a number');
	});

	test('an empty window is {}; count never passes the size', () => {
		const window = new InferenceWindow(2);
		assert.deepEqual(window.schema(), {});
		assert.equal(window.count, 0);
		for (let i = 0; i < 5; i++) window.add(`{"n":${i}}`);
		assert.equal(window.count, 2);
		assert.equal(new InferenceWindow().size, 1000);
		assert.throws(() => new InferenceWindow(0), RangeError);
	});

	test('the window schema equals merging its events, whatever order the shapes came in', () => {
		const payloads = Array.from({length: 400}, (_, i) =>
			JSON.stringify({id: i, ...(i % 3 === 0 ? {note: i % 2 ? null : 'x'} : {}), ...(i % 7 === 0 ? {tags: [i, 'x']} : {}), [`k${i % 11}`]: i % 5 ? 1.5 : 'y'}),
		);
		const window = windowOf(payloads, 100);
		const last = payloads.slice(-100).map((payload) => JSON.parse(payload) as unknown);
		assert.equal(JSON.stringify(window.schema()), JSON.stringify(inferAll(last)));
		assert.equal(JSON.stringify(windowOf(payloads.slice(-100).reverse(), 100).schema()), JSON.stringify(window.schema()));
		assert.ok(window.shapes <= 100);
	});

	test('after every event: the schema is the merge of the last N, and add said true exactly when it changed', () => {
		const size = 40;
		const window = new InferenceWindow(size);
		const seen: string[] = [];
		let before = JSON.stringify(window.schema());
		for (let i = 0; i < 300; i++) {
			// Shapes that come and go: a rare field, a type that widens now and then, a non-JSON payload, nulls.
			const payload =
				i % 97 === 5 ? 'plain text' : JSON.stringify({id: i, ...(i % 50 < 3 ? {rare: 'x'} : {}), v: i % 61 === 0 ? 1.5 : i % 13 === 0 ? null : i});
			const changed = window.add(payload);
			seen.push(payload);
			const last = seen.slice(-size);
			const json = last.filter((text) => text !== 'plain text').map((text) => inferValue(JSON.parse(text)));
			let expected = json.length > 0 ? json.reduce((a, b) => mergeSchemas(a, b)) : undefined;
			if (last.includes('plain text')) expected = expected ? {anyOf: [expected, nonJsonSchema]} : nonJsonSchema;
			const now = JSON.stringify(window.schema());
			assert.equal(now, JSON.stringify(expected), `after event ${i}`);
			assert.equal(changed, now !== before, `add's answer after event ${i}`);
			before = now;
		}
	});

	test('every event distinct still gives the exact schema of the last N (maps bound the distinct keys)', () => {
		const payloads = Array.from({length: 3000}, (_, i) => JSON.stringify({[`key${i}`]: i}));
		const window = windowOf(payloads, 1000);
		// 1000 distinct keys over the window: more than MAP_KEYS, so a map of integers.
		assert.deepEqual(window.schema(), {type: 'object', additionalProperties: {type: 'integer'}, 'x-eda-map': true});
		assert.equal(window.shapes, 1000);
	});

	test('the schema returned is a copy: changing it changes nothing inside', () => {
		const window = windowOf(['{"a":1}']);
		(window.schema().properties as JsonSchema).a = 'broken';
		assert.deepEqual(window.schema(), {type: 'object', properties: {a: {type: 'integer'}}, required: ['a']});
	});

	test('inferenceRate counts the events it added (the bench reports the figure)', () => {
		const result = inferenceRate(['{"a":1}', '{"a":"x"}'], 0.01);
		assert.ok(result.events >= 1000);
		assert.equal(result.rate, result.events / result.seconds);
	});
});
