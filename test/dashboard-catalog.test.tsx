// The Catalog view on a fake store through ink-testing-library: the list,
// the schema tree and last diff on Enter, markers without colour, colour with
// it, Esc and q backing out, network text sanitised, help listing the keys.
import assert from 'node:assert/strict';
import {afterEach, describe, it} from 'node:test';
import chalk from 'chalk';
import {cleanup} from 'ink-testing-library';
import {catalogRows, type CatalogInput, type DeclaredInput} from '../source/dashboard/store/catalog.js';
import {DashboardStore} from '../source/dashboard/store/store.js';
import {keys, recordingControls, renderDashboard} from './helpers/dashboard.js';

const now = 1_000_000;

const orders: CatalogInput = {
	topic: 'orderCreated',
	version: 3,
	schema: {
		type: 'object',
		properties: {
			id: {type: 'string', format: 'uuid'},
			total: {type: 'string'},
			customer: {type: 'object', properties: {name: {type: 'string'}}, required: ['name']},
			coupon: {type: 'string'},
		},
		required: ['id', 'total', 'customer'],
	},
	versions: [
		{version: 2, at: now - 60_000, changes: [{path: '/properties/coupon', kind: 'property-added', text: 'optional field coupon'}], breaks: []},
		{
			version: 3,
			at: now - 1000,
			changes: [
				{path: '/properties/amount', kind: 'property-removed', text: 'amount is gone'},
				{path: '/properties/total', kind: 'type-changed', before: 'integer', after: 'string', text: 'total changed type'},
			],
			breaks: [
				{path: '/properties/total', kind: 'type-changed', direction: 'backward', why: 'a reader of v3 cannot read v2 totals', text: ''},
				{path: '/properties/amount', kind: 'property-removed', direction: 'forward', why: 'an old reader requires amount', text: '', openContentTrap: true},
			],
		},
	],
	producers: {shop: 120, 'legacy-shop': 4},
	firstSeen: now - 3_600_000,
	lastSeen: now - 500,
	rate: 2.5,
};

const payments: CatalogInput = {
	topic: 'paymentTaken',
	version: 1,
	schema: {type: 'object', properties: {order: {type: 'string'}}, required: ['order']},
	versions: [],
	producers: {payments: 7},
	firstSeen: now - 1000,
	lastSeen: now - 100,
	rate: 0.4,
};

const declared: DeclaredInput[] = [
	{topic: 'orderCreated', version: 2, schema: {type: 'object', properties: {id: {type: 'string'}, amount: {type: 'integer'}}, required: ['id', 'amount']}, compat: 'backward', mode: 'enforce'},
	{topic: 'shipmentSent', version: 1, schema: {type: 'object', properties: {parcel: {type: 'string'}}}, compat: 'full', mode: 'warn'},
];

const consumers = new Map([
	['orderCreated', {groups: [{name: 'billing', lag: 3}], subscribers: 1, actors: [{name: 'consumer:h:1:a', kind: 'consumer'}]}],
	['paymentTaken', {groups: [{name: 'ledger', lag: 0}], subscribers: 0, actors: []}],
]);

/** What the audit (portal/audit.ts) finds in this catalog. */
const findings = [
	{kind: 'diverges', topic: 'orderCreated', text: 'orderCreated: 3 of 20 recent events fail the declared schema (version 2); first at /amount'},
	{kind: 'undeclared', topic: 'paymentTaken', text: 'paymentTaken: seen (7 events) but no schema is declared'},
	{kind: 'group-without-schema', topic: 'paymentTaken', text: 'paymentTaken: consumer group ledger reads a topic with no declared schema'},
	{kind: 'silent', topic: 'shipmentSent', text: 'shipmentSent: declared (version 1) but no event has been seen'},
];

function catalogStore(entries: CatalogInput[] = [orders, payments]): DashboardStore {
	const store = new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:6379', now: () => now});
	store.setCatalog({loaded: true, rows: catalogRows(entries, declared, consumers, findings)});
	return store;
}

afterEach(() => cleanup());

describe('the Catalog view', () => {
	it('C opens it from the main screen: version, producers, consumers, rate, mode and flags per topic', async () => {
		const app = await renderDashboard({store: catalogStore(), columns: 180, rows: 24});
		const frame = await app.press('C', (f) => f.includes('Event catalog: 3 topics'), 'the catalog');
		const row = (name: string) => frame.split('\n').find((line) => line.includes(name)) ?? '';
		assert.match(row('orderCreated'), /v3 d2/, 'inferred v3, declared v2');
		assert.match(row('orderCreated'), /enforce/);
		assert.match(row('orderCreated'), /shop 120, legacy-shop 4/, 'producers by count');
		assert.match(row('orderCreated'), /billing lag 3, 1 sub, 1 actor/, 'consumers: the group with its lag, the subscriber, the actor');
		assert.match(row('orderCreated'), /diverging/, 'the audit found events failing the declaration');
		assert.match(row('orderCreated'), /2\.5/, 'rate');
		assert.match(row('paymentTaken'), /none/, 'no declared schema: no enforcement');
		assert.match(row('paymentTaken'), /undeclared, ungoverned groups/, 'a group reads a topic nothing declares');
		assert.match(row('shipmentSent'), /— d1/, 'declared, never seen');
		assert.match(row('shipmentSent'), /warn/);
		assert.match(row('shipmentSent'), /silent/);
		assert.match(frame, /↑\/k pick {2}Enter schema {2}q back/, 'the hint line says the view\'s keys');
	});

	it('Enter: the schema as a tree and the diff of the last change, with markers when colour is off', async () => {
		const app = await renderDashboard({store: catalogStore(), columns: 100, rows: 30});
		await app.press('C', (f) => f.includes('Event catalog'), 'the catalog');
		const frame = await app.press(keys.enter, (f) => f.includes('Last change: to v3'), 'the detail');
		assert.match(frame, /orderCreated · inferred v3 \(declared v2, enforce, backward\)/);
		assert.match(frame, /audit: orderCreated: 3 of 20 recent events fail the declared schema/, 'why it is flagged');
		assert.match(frame, /^ {4}id: string \(uuid\) \(required\)/m, 'a required field with its format');
		assert.match(frame, /^ {4}customer: object \(required\)\n {6}name: string \(required\)/m, 'nested fields indented under their object');
		assert.match(frame, /^~ {3}total: string \(required\)/m, 'the changed field marked ~ in the tree');
		assert.match(frame, /^- {3}amount: removed/m, 'the removed field still listed, marked -');
		assert.match(frame, /^- \/properties\/amount {2}property-removed: amount is gone/m);
		assert.match(frame, /^~ \/properties\/total {2}type-changed \(integer → string\)/m);
		assert.match(frame, /breaks BACKWARD: a reader of v3 cannot read v2 totals/);
		assert.match(frame, /breaks FORWARD: an old reader requires amount \(open content model\)/);
		assert.match(frame, /compatibility: BACKWARD broken, FORWARD broken, FULL broken/);
		assert.doesNotMatch(app.lastFrame() ?? '', /\u001B\[(3|4|9|10)\d(;\d+)*m|\u001B\[38;/, 'no colour when it is off');
		// Down moves to the next topic with the detail open: its first version, no change yet.
		await app.press('j', (f) => f.includes('paymentTaken · inferred v1 (not declared)') && f.includes('No change yet'), 'the next topic');
	});

	it('with colour: the diff lines are coloured (added green, removed red, changed yellow)', async () => {
		const level = chalk.level;
		chalk.level = 3;
		try {
			const app = await renderDashboard({store: catalogStore(), colorOn: true, columns: 100, rows: 30});
			await app.press('C', (f) => f.includes('Event catalog'), 'the catalog');
			await app.press(keys.enter, (f) => f.includes('Last change: to v3'), 'the detail');
			const raw = app.lastFrame() ?? '';
			const lineOf = (text: string) => raw.split('\n').find((line) => line.includes(text)) ?? '';
			assert.match(lineOf('property-removed'), /\u001B\[31m/, 'removed: red');
			assert.match(lineOf('type-changed (integer'), /\u001B\[33m/, 'changed: yellow');
		} finally {
			chalk.level = level;
		}
	});

	it('Esc backs out of the detail then the view; q does the same and never quits from there', async () => {
		const controls = recordingControls();
		const app = await renderDashboard({store: catalogStore(), controls, columns: 100, rows: 30});
		await app.press('C', (f) => f.includes('Event catalog'), 'the catalog');
		await app.press(keys.enter, (f) => f.includes('Last change'), 'the detail');
		await app.press(keys.escape, (f) => f.includes('producers') && !f.includes('Last change'), 'back to the list');
		await app.press(keys.escape, (f) => f.includes('1 Topics'), 'back to the panes');
		await app.press('C', (f) => f.includes('Event catalog'), 'the catalog again');
		await app.press(keys.enter, (f) => f.includes('Last change'), 'the detail again');
		await app.press('q', (f) => !f.includes('Last change') && f.includes('Event catalog'), 'q: the list');
		await app.press('q', (f) => f.includes('1 Topics'), 'q: the panes');
		assert.deepEqual(controls.calls, [], 'q inside the view never quits');
	});

	it('help: C is listed on the main screen, the view\'s own keys inside it', async () => {
		const app = await renderDashboard({store: catalogStore(), columns: 100, rows: 40});
		await app.press('?', (f) => /C\s+event catalog/.test(f), 'C in help');
		await app.press(keys.escape, (f) => f.includes('1 Topics'), 'help closed');
		await app.press('C', (f) => f.includes('Event catalog'), 'the catalog');
		const help = await app.press('?', (f) => f.includes('In the Catalog'), 'the view\'s help');
		assert.match(help, /Enter\s+the topic's schema as a tree/);
		assert.doesNotMatch(help, /focus the next pane/, 'pane keys are not offered here');
	});

	it('network text is sanitised: escape sequences in topics, producers and field names never reach the terminal', async () => {
		const evil = '\u001B]0;pwned\u0007\u001B[2J';
		const entry: CatalogInput = {
			...payments,
			topic: `evil${evil}`,
			producers: {[`src${evil}`]: 1},
			schema: {type: 'object', properties: {[`field${evil}`]: {type: 'string'}}},
		};
		const app = await renderDashboard({store: catalogStore([entry]), columns: 100, rows: 30});
		await app.press('C', (f) => f.includes('Event catalog'), 'the catalog');
		await app.press(keys.enter, (f) => f.includes('Schema (inferred'), 'the detail');
		const raw = app.lastFrame() ?? '';
		assert.ok(!raw.includes('\u0007') && !raw.includes('\u001B]0;') && !raw.includes('\u001B[2J'), 'no control sequence from the network');
		assert.match(app.frame(), /field\\x1b\]0;pwned\\x07.*: string/, 'the field shown, its controls made visible');
		assert.match(app.frame(), /src\\x1b/, 'the producer too');
	});

	it('before the first read, with nothing catalogued, and when a read fails', async () => {
		const store = new DashboardStore({frameMs: 1, now: () => now});
		const app = await renderDashboard({store});
		await app.press('C', (f) => f.includes('Reading the catalog…'), 'not read yet');
		store.setCatalog({loaded: true, rows: []});
		await app.waitForFrame((f) => f.includes('No topics in the catalog yet'), 'empty');
		await app.press(keys.enter, (f) => f.includes('No topics in the catalog yet'), 'Enter on nothing keeps the list');
		store.setCatalog({loaded: true, rows: [], error: 'reading the catalog failed: Connection is closed.'});
		await app.waitForFrame((f) => f.includes('✗ reading the catalog failed: Connection is closed.'), 'the error said');
	});
});
