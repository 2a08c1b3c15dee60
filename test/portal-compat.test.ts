// Schema diffs and compatibility verdicts (source/portal/compat.ts). Pure: no Redis.
//
// Expected verdicts come from Confluent's definitions, reasoned here, not from the code:
// - BACKWARD: consumers on the NEW schema read data written with the PREVIOUS one,
//   so everything the previous schema accepts, the new one must accept.
// - FORWARD: consumers on the PREVIOUS schema read data written with the NEW one,
//   so everything the new schema accepts, the previous one must accept.
// Open content model: undeclared names may hold any value. Closed: additionalProperties:false.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {breaks, checkCompatibility, diffSchemas, type Break} from '../source/portal/compat.js';
import {inferValue, mergeSchemas, type JsonSchema} from '../source/portal/infer.js';

type Row = {
	change: 'added' | 'removed';
	field: 'required' | 'optional';
	model: 'open' | 'closed';
	direction: 'backward' | 'forward';
	compatible: boolean;
	trap: boolean;
	/** Why, from the definitions above. */
	reason: string;
};

// The field is `note` (a string); `id` is always there. Both schemas share the content model of the row.
const table: Row[] = [
	// --- a field added ---
	{change: 'added', field: 'optional', model: 'open', direction: 'backward', compatible: false, trap: true,
		reason: 'old data (open model) may already hold note with any value; the new schema says string'},
	{change: 'added', field: 'optional', model: 'open', direction: 'forward', compatible: true, trap: false,
		reason: 'new data holds note as a string or not at all; the previous open model accepts any value for it'},
	{change: 'added', field: 'required', model: 'open', direction: 'backward', compatible: false, trap: false,
		reason: 'old data may lack note and the new schema requires it (closing the model would not help)'},
	{change: 'added', field: 'required', model: 'open', direction: 'forward', compatible: true, trap: false,
		reason: 'new data always holds note as a string; the previous open model accepts it'},
	{change: 'added', field: 'optional', model: 'closed', direction: 'backward', compatible: true, trap: false,
		reason: 'old data (closed model) can never hold note; the new schema does not require it'},
	{change: 'added', field: 'optional', model: 'closed', direction: 'forward', compatible: false, trap: false,
		reason: 'new data may hold note; the previous closed model refuses undeclared names'},
	{change: 'added', field: 'required', model: 'closed', direction: 'backward', compatible: false, trap: false,
		reason: 'old data never holds note and the new schema requires it'},
	{change: 'added', field: 'required', model: 'closed', direction: 'forward', compatible: false, trap: false,
		reason: 'new data always holds note; the previous closed model refuses it'},
	// --- a field removed ---
	{change: 'removed', field: 'optional', model: 'open', direction: 'backward', compatible: true, trap: false,
		reason: 'old data may hold note as a string; the new open model accepts any undeclared value'},
	{change: 'removed', field: 'optional', model: 'open', direction: 'forward', compatible: false, trap: true,
		reason: 'new data (open model) may hold note with any value; the previous schema says string'},
	{change: 'removed', field: 'required', model: 'open', direction: 'backward', compatible: true, trap: false,
		reason: 'old data holds note as a string; the new open model accepts it'},
	{change: 'removed', field: 'required', model: 'open', direction: 'forward', compatible: false, trap: false,
		reason: 'new data may lack note and the previous schema requires it'},
	{change: 'removed', field: 'optional', model: 'closed', direction: 'backward', compatible: false, trap: false,
		reason: 'old data may hold note; the new closed model refuses undeclared names'},
	{change: 'removed', field: 'optional', model: 'closed', direction: 'forward', compatible: true, trap: false,
		reason: 'new data (closed model) can never hold note; the previous schema does not require it'},
	{change: 'removed', field: 'required', model: 'closed', direction: 'backward', compatible: false, trap: false,
		reason: 'old data always holds note; the new closed model refuses it'},
	{change: 'removed', field: 'required', model: 'closed', direction: 'forward', compatible: false, trap: false,
		reason: 'new data never holds note and the previous schema requires it'},
];

function schemaOf(withNote: boolean, field: Row['field'], model: Row['model']): JsonSchema {
	const schema: JsonSchema = {
		type: 'object',
		properties: withNote ? {id: {type: 'integer'}, note: {type: 'string'}} : {id: {type: 'integer'}},
		required: withNote && field === 'required' ? ['id', 'note'] : ['id'],
	};
	if (model === 'closed') schema.additionalProperties = false;
	return schema;
}

const object = (properties: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({type: 'object', properties, ...extra});

/** The breaks of one direction, as [path, kind] pairs, for compact assertions. */
function found(previous: JsonSchema, next: JsonSchema, direction: Break['direction']): string[][] {
	return breaks(previous, next)
		.filter((b) => b.direction === direction)
		.map((b) => [b.path, b.kind]);
}

describe('every combination of a field added or removed, required or optional, open or closed, in each direction', () => {
	assert.equal(table.length, 16);
	for (const row of table) {
		const name = `${row.change} ${row.field} field, ${row.model} content model, ${row.direction.toUpperCase()}`;
		test(`${name}: ${row.compatible ? 'compatible' : 'breaks'}`, () => {
			const previous = schemaOf(row.change === 'removed', row.field, row.model);
			const next = schemaOf(row.change === 'added', row.field, row.model);
			const verdict = checkCompatibility(previous, next, row.direction);
			assert.equal(verdict.compatible, row.compatible, `${name}: expected ${row.compatible ? 'compatible' : 'a break'} because ${row.reason}`);
			assert.equal(verdict.breaks.length, row.compatible ? 0 : 1, `${name}: one break, on the field`);
			const found = verdict.breaks[0];
			if (found) {
				assert.equal(found.path, '/properties/note', name);
				assert.equal(found.kind, row.change === 'added' ? 'property-added' : 'property-removed', name);
				assert.equal(found.direction, row.direction, name);
				assert.match(found.why, new RegExp(`^${row.direction.toUpperCase()}: `), `${name}: why names the direction`);
				assert.equal(found.openContentTrap === true, row.trap, `${name}: open-content-model trap ${row.trap ? '' : 'not '}flagged`);
			}
		});
	}

	test('the trap explains itself and names the fix', () => {
		const [trap] = checkCompatibility(schemaOf(false, 'optional', 'open'), schemaOf(true, 'optional', 'open'), 'backward').breaks;
		assert.ok(trap);
		assert.match(trap.why, /open content model/);
		assert.match(trap.why, /additionalProperties:false on the original/);
		assert.match(trap.why, /1529/);
	});

	test('no trap when the added or removed property accepts any value: the open model already allowed it', () => {
		const withAny = object({id: {type: 'integer'}, note: {}});
		const without = object({id: {type: 'integer'}});
		assert.deepEqual(checkCompatibility(without, withAny, 'full'), {compatible: true, breaks: []});
		assert.deepEqual(checkCompatibility(withAny, without, 'full'), {compatible: true, breaks: []});
	});
});

describe('type changes', () => {
	test('widening integer to number is backward-compatible, not forward', () => {
		const previous = object({n: {type: 'integer'}});
		const next = object({n: {type: 'number'}});
		assert.deepEqual(found(previous, next, 'backward'), []);
		assert.deepEqual(found(previous, next, 'forward'), [['/properties/n', 'type-changed']]);
	});

	test('narrowing number to integer is forward-compatible, not backward', () => {
		const previous = object({n: {type: 'number'}});
		const next = object({n: {type: 'integer'}});
		assert.deepEqual(found(previous, next, 'backward'), [['/properties/n', 'type-changed']]);
		assert.deepEqual(found(previous, next, 'forward'), []);
	});

	test('string to integer breaks both directions, and says from what to what', () => {
		const [change] = diffSchemas(object({n: {type: 'string'}}), object({n: {type: 'integer'}}));
		assert.deepEqual(change, {path: '/properties/n', kind: 'type-changed', before: 'string', after: 'integer', text: '/properties/n: type changed from string to integer'});
		assert.equal(checkCompatibility(object({n: {type: 'string'}}), object({n: {type: 'integer'}}), 'full').breaks.length, 2);
	});

	test('null added breaks forward only; null removed breaks backward only', () => {
		const plain = object({s: {type: 'string'}});
		const nullable = object({s: {type: ['string', 'null']}});
		assert.deepEqual(found(plain, nullable, 'backward'), []);
		assert.deepEqual(found(plain, nullable, 'forward'), [['/properties/s', 'null-added']]);
		assert.deepEqual(found(nullable, plain, 'backward'), [['/properties/s', 'null-removed']]);
		assert.deepEqual(found(nullable, plain, 'forward'), []);
	});

	test('format added breaks backward; removed breaks forward; changed breaks both', () => {
		const none = object({at: {type: 'string'}});
		const dateTime = object({at: {type: 'string', format: 'date-time'}});
		const email = object({at: {type: 'string', format: 'email'}});
		assert.deepEqual(found(none, dateTime, 'backward'), [['/properties/at', 'format-changed']]);
		assert.deepEqual(found(none, dateTime, 'forward'), []);
		assert.deepEqual(found(dateTime, none, 'backward'), []);
		assert.deepEqual(found(dateTime, none, 'forward'), [['/properties/at', 'format-changed']]);
		assert.equal(checkCompatibility(dateTime, email, 'full').breaks.length, 2);
	});

	test('became required breaks backward; became optional breaks forward', () => {
		const optional = object({a: {type: 'string'}});
		const required = object({a: {type: 'string'}}, {required: ['a']});
		assert.deepEqual(found(optional, required, 'backward'), [['/properties/a', 'became-required']]);
		assert.deepEqual(found(optional, required, 'forward'), []);
		assert.deepEqual(found(required, optional, 'forward'), [['/properties/a', 'became-optional']]);
		assert.deepEqual(found(required, optional, 'backward'), []);
	});

	test('bounds: tighter breaks backward, looser breaks forward; a pattern changed breaks both', () => {
		const three = object({s: {type: 'string', maxLength: 3}});
		const four = object({s: {type: 'string', maxLength: 4}});
		assert.deepEqual(found(four, three, 'backward'), [['/properties/s', 'constraint-changed']]);
		assert.deepEqual(found(four, three, 'forward'), []);
		assert.deepEqual(found(three, four, 'forward'), [['/properties/s', 'constraint-changed']]);
		assert.deepEqual(found(three, four, 'backward'), []);
		// A minimum added narrows (breaks backward); removed widens (breaks forward).
		assert.deepEqual(found(object({n: {type: 'integer'}}), object({n: {type: 'integer', minimum: 0}}), 'backward'), [['/properties/n', 'constraint-changed']]);
		assert.deepEqual(found(object({n: {type: 'integer', minimum: 0}}), object({n: {type: 'integer'}}), 'backward'), []);
		assert.equal(checkCompatibility({type: 'string', pattern: '^a'}, {type: 'string', pattern: '^b'}, 'full').breaks.length, 2);
	});

	test('enum values added break forward; removed break backward', () => {
		const two = object({s: {enum: ['a', 'b']}});
		const three = object({s: {enum: ['a', 'b', 'c']}});
		assert.deepEqual(found(two, three, 'forward'), [['/properties/s', 'enum-changed']]);
		assert.deepEqual(found(two, three, 'backward'), []);
		assert.deepEqual(found(three, two, 'backward'), [['/properties/s', 'enum-changed']]);
	});
});

describe('where changes are: nested objects, arrays, maps', () => {
	test('nested objects are compared with their JSON pointer path', () => {
		const previous = object({order: object({customer: object({id: {type: 'integer'}})})});
		const next = object({order: object({customer: object({id: {type: 'string'}})})});
		assert.deepEqual(diffSchemas(previous, next).map((c) => c.path), ['/properties/order/properties/customer/properties/id']);
	});

	test('names with / and ~ are escaped in the path (RFC 6901)', () => {
		const [change] = diffSchemas(object({}), object({'a/b~c': {type: 'string'}}));
		assert.equal(change?.path, '/properties/a~1b~0c');
	});

	test('array items are compared under /items', () => {
		const previous = object({lines: {type: 'array', items: object({sku: {type: 'string'}}, {required: ['sku']})}});
		const next = object({lines: {type: 'array', items: object({sku: {type: 'string'}})}});
		assert.deepEqual(found(previous, next, 'forward'), [['/properties/lines/items/properties/sku', 'became-optional']]);
	});

	test('a map whose values widen from integer to number breaks forward at /additionalProperties', () => {
		const previous = {type: 'object', additionalProperties: {type: 'integer'}, 'x-eda-map': true};
		const next = {type: 'object', additionalProperties: {type: 'number'}, 'x-eda-map': true};
		assert.deepEqual(found(previous, next, 'backward'), []);
		assert.deepEqual(found(previous, next, 'forward'), [['/additionalProperties', 'type-changed']]);
	});

	test('a property added under additionalProperties as a schema: compatible when both agree on its values', () => {
		const previous = {type: 'object', additionalProperties: {type: 'string'}};
		// Old data may hold x as a string (an undeclared name); new data holds x as a string, which the previous map accepts.
		assert.deepEqual(breaks(previous, {...previous, properties: {x: {type: 'string'}}}), []);
		// As an integer: old strings under x break BACKWARD, new integers break FORWARD.
		assert.deepEqual(
			breaks(previous, {...previous, properties: {x: {type: 'integer'}}}).map((b) => b.direction),
			['backward', 'forward'],
		);
	});

	test('closing the content model breaks backward; opening it breaks forward', () => {
		const open = object({a: {type: 'string'}});
		const closed = object({a: {type: 'string'}}, {additionalProperties: false});
		assert.deepEqual(found(open, closed, 'backward'), [['', 'closed']]);
		assert.deepEqual(found(open, closed, 'forward'), []);
		assert.deepEqual(found(closed, open, 'forward'), [['', 'opened']]);
		assert.deepEqual(found(closed, open, 'backward'), []);
	});
});

describe('modes and inferred schemas', () => {
	const previous = object({a: {type: 'integer'}}, {required: ['a']});
	const next = object({a: {type: 'number'}, b: {type: 'string'}}, {required: ['a']});

	test('FULL reports the breaks of both directions; NONE accepts anything', () => {
		// integer→number breaks FORWARD; optional b added to an open model breaks BACKWARD (the trap).
		const full = checkCompatibility(previous, next, 'full');
		assert.equal(full.compatible, false);
		assert.deepEqual(full.breaks.map((b) => [b.path, b.direction]), [['/properties/a', 'forward'], ['/properties/b', 'backward']]);
		assert.deepEqual(checkCompatibility(previous, next, 'none'), {compatible: true, breaks: []});
		assert.deepEqual(checkCompatibility(previous, next, 'backward').breaks.map((b) => b.path), ['/properties/b']);
		assert.deepEqual(checkCompatibility(previous, next, 'forward').breaks.map((b) => b.path), ['/properties/a']);
	});

	test('equal schemas have no changes, in any mode', () => {
		assert.deepEqual(diffSchemas(next, structuredClone(next)), []);
		assert.equal(checkCompatibility(next, next, 'full').compatible, true);
	});

	test('inferred schemas are open, so a field that starts coming breaks BACKWARD with the trap flagged', () => {
		const v1 = inferValue({id: 1});
		const v2 = mergeSchemas(v1, inferValue({id: 2, coupon: 'X'}));
		const [only] = breaks(v1, v2);
		assert.equal(only?.kind, 'property-added');
		assert.equal(only?.openContentTrap, true);
	});

	test('inferred anyOf (one branch per type) is compared as one schema: a string branch added breaks forward only', () => {
		const v1 = inferValue({a: 1});
		const v2 = mergeSchemas(v1, inferValue('text'));
		assert.equal(Array.isArray(v2.anyOf), true);
		assert.deepEqual(found(v1, v2, 'backward'), []);
		assert.deepEqual(found(v1, v2, 'forward'), [['', 'type-changed']]);
		// The object branch is still compared property by property.
		const v3 = mergeSchemas(inferValue({a: 'x'}), inferValue('text'));
		assert.deepEqual(diffSchemas(v2, v3).map((c) => [c.path, c.kind]), [['/properties/a', 'type-changed']]);
	});

	test('anyOf branches that share a type are not reasoned about: any change there breaks both ways', () => {
		const previous = {anyOf: [{type: 'string', maxLength: 3}, {type: 'string', format: 'email'}]};
		const next = {anyOf: [{type: 'string', maxLength: 4}, {type: 'string', format: 'email'}]};
		assert.deepEqual(breaks(previous, next).map((b) => [b.kind, b.direction]), [['unsupported-changed', 'backward'], ['unsupported-changed', 'forward']]);
		assert.deepEqual(breaks(previous, structuredClone(previous)), []);
	});

	test('a change eda cannot reason about ($ref) counts as breaking both ways', () => {
		const verdict = checkCompatibility({$ref: '#/a'}, {$ref: '#/b'}, 'full');
		assert.deepEqual(verdict.breaks.map((b) => [b.kind, b.direction]), [['unsupported-changed', 'backward'], ['unsupported-changed', 'forward']]);
	});

	test('every break says its direction and why in words', () => {
		const all = breaks(object({a: {type: 'integer'}, gone: {type: 'string'}}, {required: ['gone']}), object({a: {type: ['string', 'null']}}, {additionalProperties: false}));
		assert.ok(all.length >= 4);
		for (const b of all) assert.match(b.why, /^(BACKWARD|FORWARD): consumers on the (new|previous) schema read events written with the (previous|new) one; .{20,}/, b.text);
	});
});
