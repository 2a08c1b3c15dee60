// The Catalog view's rows and the audit's findings as flags (store/catalog.ts), and the tree
// and diff lines its detail draws (catalog-lines.ts): pure, no Redis.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {diffLines, schemaTree, typeText} from '../source/dashboard/catalog-lines.js';
import {catalogRows, type CatalogInput} from '../source/dashboard/store/catalog.js';

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
	it("each finding of the audit becomes its flag on its topic's rows; a type's finding only on that type's row", () => {
		const findings = [
			{kind: 'undeclared', topic: 'orders', text: 'orders: seen but no schema is declared'},
			{kind: 'group-without-schema', topic: 'orders', text: 'orders: consumer group billing reads a topic with no declared schema'},
			{kind: 'group-without-schema', topic: 'orders', text: 'orders: consumer group audit reads a topic with no declared schema'},
			{kind: 'diverges', topic: 'orders', type: 'refunded', text: 'orders (type refunded): breaks'},
			{kind: 'undeclared', topic: 'other', text: 'other: seen'},
		];
		const rows = catalogRows([entry(), entry({type: 'refunded'})], [], none, findings);
		assert.deepEqual(rows.map((r) => [r.key, r.flags]), [
			['orders', ['undeclared', 'ungoverned groups']],
			['orders · refunded', ['undeclared', 'ungoverned groups', 'diverging']],
		]);
		assert.equal(rows[0]?.findings.length, 3, "the topic's findings in the audit's words");
	});

	it('a declared topic nothing was seen on has a row of its own, flagged as the audit says', () => {
		const [row] = catalogRows([], [declaredId], none, [{kind: 'silent', topic: 'orders', text: 'orders: declared (version 1) but no event has been seen'}]);
		assert.equal(row?.version, 0);
		assert.equal(row?.declaredVersion, 1);
		assert.equal(row?.mode, 'enforce');
		assert.deepEqual(row?.flags, ['silent']);
		assert.deepEqual(catalogRows([entry()], [declaredId], none, [])[0]?.flags, [], 'no finding, no flag');
	});

	it('rows: one per topic and type, producers by count, sorted by key', () => {
		const rows = catalogRows([entry({topic: 'b'}), entry({topic: 'a', type: 'created', producers: {x: 1, y: 5}})], [], none, []);
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
