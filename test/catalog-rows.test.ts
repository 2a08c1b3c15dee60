// The Catalog view's rows and audit flags (store/catalog.ts), and the tree
// and diff lines its detail draws (catalog-lines.ts): pure, no Redis.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {diffLines, schemaTree, typeText} from '../source/dashboard/catalog-lines.js';
import {catalogRows, diverges, silentAfterMs, type CatalogInput} from '../source/dashboard/store/catalog.js';

const now = 10_000_000;
const entry = (patch: Partial<CatalogInput> = {}): CatalogInput => ({
	topic: 'orders',
	version: 1,
	schema: {type: 'object', properties: {id: {type: 'string'}}, required: ['id']},
	versions: [],
	producers: {},
	firstSeen: now - 1000,
	lastSeen: now - 1000,
	rate: 0,
	...patch,
});
const declaredId = {topic: 'orders', version: 1, schema: {type: 'object', properties: {id: {type: 'string'}}, required: ['id']}, compat: 'backward', mode: 'enforce' as const};
const none = new Map();

describe('audit flags', () => {
	it('undeclared: seen, never declared; declared and matching: no flag', () => {
		assert.deepEqual(catalogRows([entry()], [], none, now)[0]?.flags, ['undeclared']);
		assert.deepEqual(catalogRows([entry()], [declaredId], none, now)[0]?.flags, []);
	});

	it('silent: declared with nothing seen, or nothing for longer than silentAfterMs', () => {
		const [row] = catalogRows([], [declaredId], none, now);
		assert.deepEqual(row?.flags, ['silent']);
		assert.equal(row?.version, 0);
		assert.deepEqual(catalogRows([entry({lastSeen: now - silentAfterMs - 1})], [declaredId], none, now)[0]?.flags, ['silent']);
		assert.deepEqual(catalogRows([entry({lastSeen: now - silentAfterMs + 1000})], [declaredId], none, now)[0]?.flags, []);
	});

	it('ungoverned groups: a consumer group reads a topic nothing declares', () => {
		const groups = new Map([['orders', {groups: [{name: 'billing', lag: 0}], subscribers: 0, actors: []}]]);
		assert.deepEqual(catalogRows([entry()], [], groups, now)[0]?.flags, ['undeclared', 'ungoverned groups']);
		assert.deepEqual(catalogRows([entry()], [declaredId], groups, now)[0]?.flags, []);
	});

	it('diverging: an extra field, a required field missing or optional, a type the declaration does not allow; integer fits number', () => {
		const declared = {type: 'object', properties: {id: {type: 'string'}, total: {type: 'number'}}, required: ['id', 'total']};
		const inferred = (properties: Record<string, unknown>, required: string[]) => ({type: 'object', properties, required});
		assert.equal(diverges(declared, inferred({id: {type: 'string'}, total: {type: 'integer'}}, ['id', 'total'])), false, 'integer within number');
		assert.equal(diverges(declared, inferred({id: {type: 'string'}, total: {type: 'number'}, note: {type: 'string'}}, ['id', 'total'])), true, 'a field not declared');
		assert.equal(diverges(declared, inferred({id: {type: 'string'}}, ['id'])), true, 'a required field never sent');
		assert.equal(diverges(declared, inferred({id: {type: 'string'}, total: {type: 'number'}}, ['id'])), true, 'a required field sometimes missing');
		assert.equal(diverges(declared, inferred({id: {type: 'string'}, total: {type: 'string'}}, ['id', 'total'])), true, 'a type not allowed');
		const nested = {type: 'object', properties: {customer: {type: 'object', properties: {name: {type: 'string'}}}}};
		assert.equal(diverges(nested, {type: 'object', properties: {customer: {type: 'object', properties: {name: {type: 'integer'}}}}}), true, 'nested');
		assert.equal(diverges({type: 'object'}, inferred({id: {type: 'string'}}, ['id'])), false, 'a declaration that lists no fields allows any');
	});

	it('rows: one per topic and type, producers by count, sorted by key', () => {
		const rows = catalogRows([entry({topic: 'b'}), entry({topic: 'a', type: 'created', producers: {x: 1, y: 5}})], [], none, now);
		assert.deepEqual(rows.map((r) => r.key), ['a · created', 'b']);
		assert.deepEqual(rows[0]?.producers, [{name: 'y', count: 5}, {name: 'x', count: 1}]);
	});
});

describe('tree and diff lines', () => {
	it('types in a few words: unions, formats, maps, non-JSON', () => {
		assert.equal(typeText({type: ['string', 'null']}), 'string|null');
		assert.equal(typeText({type: 'string', format: 'date-time'}), 'string (date-time)');
		assert.equal(typeText({type: 'object', additionalProperties: {type: 'number'}}), 'map of number');
		assert.equal(typeText({'x-eda-non-json': true}), 'non-JSON');
		assert.equal(typeText({anyOf: [{type: 'string'}, {type: 'object', properties: {}}]}), 'string|object');
	});

	it('the tree walks properties and items (under their array) with JSON pointers; a removed field is listed, marked', () => {
		const schema = {type: 'object', properties: {'a/b': {type: 'array', items: {type: 'object', properties: {n: {type: 'integer'}}}}}};
		const change = {version: 2, at: 0, changes: [{path: '/properties/gone', kind: 'property-removed', text: ''}, {path: '/properties/a~1b/items/properties/n', kind: 'type-changed', text: ''}], breaks: []};
		const tree = schemaTree(schema, change);
		assert.deepEqual(
			tree.map((l) => [l.indent, l.name, l.type, l.marker]),
			[
				[0, '(event)', 'object', ' '],
				[1, 'a/b', 'array', ' '],
				[2, '[]', 'object', ' '],
				[3, 'n', 'integer', '~'],
				[1, 'gone', 'removed', '-'],
			],
		);
	});

	it('the diff: a line per change, per break, then the verdict per direction', () => {
		const lines = diffLines({
			version: 3,
			at: 0,
			changes: [{path: '/properties/note', kind: 'property-added', text: 'optional'}],
			breaks: [{path: '/properties/note', kind: 'property-added', direction: 'forward', why: 'old readers', text: '', openContentTrap: true}],
		});
		assert.deepEqual(lines.map((l) => `${l.marker} ${l.path} ${l.text}`), [
			'+ /properties/note property-added: optional',
			'  /properties/note breaks FORWARD: old readers (open content model)',
			'   compatibility: BACKWARD kept, FORWARD broken, FULL broken',
		]);
	});
});
