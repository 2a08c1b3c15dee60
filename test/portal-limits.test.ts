// Untrusted schemas (portal/limits.ts): nothing remote is ever referenced,
// size and depth are capped, and an invalid schema gets one message naming
// where it is wrong. Pure: no Redis.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {InferenceWindow} from '../source/portal/infer.js';
import {checkSchema, checkSchemaText, compileSchema, maxSchemaBytes, maxSchemaDepth} from '../source/portal/limits.js';

function refusal(value: unknown): string {
	const result = checkSchema(value);
	assert.ok('error' in result, 'the schema is refused');
	assert.doesNotMatch(result.error, /\n/, 'one line');
	return result.error;
}

describe('references', () => {
	test('a remote $ref is refused with its place, and nothing is fetched', () => {
		for (const ref of ['https://example.com/schema.json', 'http://127.0.0.1:1/x.json#/a', 'other.json', 'urn:x:y', '//host/a']) {
			const error = refusal({type: 'object', properties: {a: {$ref: ref}}});
			assert.match(error, /at \/properties\/a\/\$ref/);
			assert.match(error, /only local references/);
		}
		assert.match(refusal({$defs: {x: {$dynamicRef: 'https://example.com/a#meta'}}}), /\/\$defs\/x\/\$dynamicRef/);
		assert.match(refusal({items: [{}, {$ref: 'file:///etc/passwd'}]}), /\/items\/1\/\$ref/);
	});

	test('local references compile; a "$ref" that is data (const, enum, a property name) is not a reference', () => {
		assert.ok('schema' in checkSchema({$defs: {id: {type: 'string'}}, type: 'object', properties: {id: {$ref: '#/$defs/id'}, self: {$ref: '#'}}}));
		assert.ok('schema' in checkSchema({type: 'object', properties: {link: {const: {$ref: 'https://example.com/'}}, $ref: {type: 'string'}}}));
	});

	test('a local reference to nothing is an invalid schema, named', () => {
		assert.match(refusal({type: 'object', properties: {a: {$ref: '#/$defs/missing'}}}), /can't resolve reference #\/\$defs\/missing/);
	});
});

describe('size and depth', () => {
	test(`more than ${maxSchemaBytes} bytes is refused before it is parsed`, () => {
		const text = JSON.stringify({type: 'object', description: 'x'.repeat(maxSchemaBytes)});
		const result = checkSchemaText(text);
		assert.ok('error' in result);
		assert.match(result.error, /at most 262144 \(256 KiB\)/);
		assert.ok('schema' in checkSchemaText(JSON.stringify({type: 'object', description: 'x'.repeat(maxSchemaBytes - 100)})));
	});

	test(`nesting deeper than ${maxSchemaDepth} is refused naming where; at the limit it passes`, () => {
		const nest = (levels: number): Record<string, unknown> => (levels <= 1 ? {type: 'string'} : {type: 'object', properties: {a: nest(levels - 1)}});
		// Each level of `nest` is two objects deep (the schema and its properties).
		assert.ok('schema' in checkSchema(nest(maxSchemaDepth / 2)));
		const error = refusal(nest(maxSchemaDepth / 2 + 1));
		assert.match(error, /deeper than 64 levels \(at \/properties\/a/);
		// Far deeper than the call stack would allow a recursive walk: still one message.
		let deep: Record<string, unknown> = {};
		for (let i = 0; i < 100_000; i++) deep = {not: deep};
		assert.match(refusal(deep), /deeper than 64 levels/);
	});
});

describe('invalid schemas: one message naming where', () => {
	test('a wrong keyword value names its pointer (the meta-schema check)', () => {
		assert.equal(refusal({type: 'object', properties: {total: {type: 'numbr'}}}), 'the schema is not valid JSON Schema 2020-12: at /properties/total/type: must be equal to one of the allowed values');
		assert.match(refusal({properties: {n: {type: 'number', minimum: 'zero'}}}), /at \/properties\/n\/minimum: must be number/);
	});

	test('strict mode: an unknown keyword (a typo) and an unknown format are refused, with where', () => {
		assert.equal(refusal({type: 'object', properties: {n: {type: 'number', maximun: 3}}}), 'the schema is refused: strict mode: unknown keyword: "maximun" (at /properties/n/maximun)');
		assert.match(refusal({type: 'object', properties: {d: {type: 'string', format: 'date-tme'}}}), /unknown format "date-tme".*#\/properties\/d/);
	});

	test('not JSON, not an object, empty', () => {
		const notJson = checkSchemaText('{"type": ');
		assert.ok('error' in notJson && /^the schema is not JSON: /.test(notJson.error));
		assert.match(refusal([]), /must be a JSON object/);
		assert.match(refusal('string'), /must be a JSON object/);
		const empty = checkSchemaText('  ');
		assert.ok('error' in empty && /empty/.test(empty.error));
	});

	test('what inferred schemas use passes: union types with null, formats, required without properties', () => {
		const schema = {
			type: 'object',
			properties: {id: {type: 'string', format: 'uuid'}, at: {type: 'string', format: 'date-time'}, note: {type: ['string', 'null']}, n: {type: 'integer'}},
			required: ['id', 'other'],
		};
		assert.ok('schema' in checkSchema(schema));
	});
});

test('an inferred schema (x-eda-* annotations, union types, a map) passes strict mode and accepts the events it came from', () => {
	const window = new InferenceWindow(100);
	const events = [{id: 'a', note: null, tags: {}}, {id: 'b', note: 'x', n: 1.5}, {id: 'c', n: 2, tags: Object.fromEntries(Array.from({length: 250}, (_, i) => [`k${i}`, i]))}].map((e) => JSON.stringify(e));
	for (const event of events) window.add(event);
	const schema = window.schema();
	const checked = checkSchema(schema);
	assert.ok('schema' in checked, 'error' in checked ? checked.error : '');
	const compiled = compileSchema(schema);
	assert.ok('validate' in compiled);
	for (const event of events) assert.ok(compiled.validate(JSON.parse(event)), event.slice(0, 80));
	assert.equal(compiled.validate({id: 5}), false, 'and still refuses what does not fit');
});
