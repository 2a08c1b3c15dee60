// The portal lab's picture (labs/view/portal-lines.ts) from a snapshot: pure.
import assert from 'node:assert/strict';
import {it} from 'node:test';
import type {PortalLabSnapshot} from '../source/labs/portal/snapshot.js';
import {portalLines} from '../source/labs/view/portal-lines.js';

const snapshot: PortalLabSnapshot = {
	lab: 'portal',
	title: 't',
	explanation: [],
	now: 100_000,
	topic: 'lab.portal.orders',
	shape: 3,
	shapeText: 'v3 {orderId, total: string, note?}',
	sent: 12,
	stored: 11,
	refused: 1,
	lastRefusal: '422 the event does not match the declared schema of lab.portal.orders (version 1): must have required property \u001B[2Jamount',
	declared: {version: 1, mode: 'enforce', compat: 'backward'},
	versions: [
		{version: 1, at: 40_000, changes: [], breaks: []},
		{version: 2, at: 70_000, changes: ['+ /properties/note property-added'], breaks: []},
		{version: 3, at: 95_000, changes: ['+ /properties/total property-added', '~ /properties/amount became-optional'], breaks: ['backward'], why: '/properties/total: old events lack it'},
	],
	consumer: {group: 'lab-portal-readers', read: 11, missingAmount: 0, lag: 0},
	actions: [],
};

it('the 422 in red, the declared schema, each version newest first with what it breaks, nothing unsanitised', () => {
	const lines = portalLines(snapshot, 200, 40);
	const text = lines.map((l) => l.text);
	const refusal = lines.find((l) => l.text.startsWith('last answer 422'));
	assert.equal(refusal?.color, 'red');
	assert.ok(!text.join('\n').includes('\u001B'), 'control characters are made visible');
	assert.ok(text.includes('declared v1, enforce, backward: the producer checks every event'));
	const versions = text.filter((t) => /^v\d /.test(t));
	assert.deepEqual(versions, ['v3 5s ago: breaks BACKWARD, FULL', 'v2 30s ago: breaks nothing: BACKWARD, FORWARD, FULL kept', 'v1 1m ago: first shape seen']);
	assert.ok(text.includes('   why: /properties/total: old events lack it'));
	assert.equal(portalLines(snapshot, 200, 5).length, 5, 'never taller than its room');
});
