// The mesh lab's picture (labs/view/mesh-lines.ts) from a snapshot: pure.
import assert from 'node:assert/strict';
import {it} from 'node:test';
import type {MeshLabSnapshot} from '../source/labs/mesh/snapshot.js';
import {meshLines} from '../source/labs/view/mesh-lines.js';

const snapshot: MeshLabSnapshot = {
	lab: 'mesh',
	title: 't',
	explanation: [],
	now: 100_000,
	topic: 'lab.mesh.orders',
	published: 1234,
	cut: 'east-west',
	brokers: [
		{name: 'east', url: 'redis://127.0.0.1:7001', stopped: false, interest: []},
		{name: 'west', url: 'redis://127.0.0.1:7002', stopped: false, interest: ['billing']},
		{name: 'edge', url: 'redis://127.0.0.1:7003', stopped: true, interest: ['shipping']},
	],
	links: [
		{link: 'east>west', state: 'down', reason: 'west: link cut', rate: 0, backlog: 340, latencyMs: 4, forwarded: 800, duplicates: 0},
		{link: 'east>edge', state: 'up', rate: 10, backlog: 0, latencyMs: 3, forwarded: 1234, duplicates: 0},
	],
	consumers: [
		{broker: 'west', group: 'billing', on: true, routed: true, expected: 1200, received: 860, doubled: 0, waiting: 340, lastRoute: 'east→west'},
		{broker: 'edge', group: 'shipping\u001B[2J', on: true, routed: true, expected: 1234, received: 1234, doubled: 0, waiting: 0, lastRoute: 'east→edge'},
	],
	routes: [{id: 'abcdef0123', path: 'east→edge', at: 'shipping on edge'}],
	actions: [],
};

it('brokers with what they want, links in words with their backlog, consumers with exact totals, routes; nothing unsanitised', () => {
	const lines = meshLines(snapshot, 120, 40);
	const text = lines.map((l) => l.text);
	assert.match(text[0] ?? '', /1234 published · link east-west CUT/);
	const edge = lines.find((l) => l.text.startsWith('  edge '));
	assert.match(edge?.text ?? '', /STOPPED +group shipping/);
	assert.equal(edge?.color, 'red');
	const cut = lines.find((l) => l.text.includes('east>west'));
	assert.match(cut?.text ?? '', /DOWN +340 .* +800 +0 +west: link cut/);
	assert.equal(cut?.color, 'red');
	const billing = lines.find((l) => l.text.includes('billing on west'));
	assert.match(billing?.text ?? '', /expected 1200 · read 860 · twice 0 · waiting 340/);
	assert.equal(billing?.color, 'yellow', 'waiting: yellow');
	assert.ok(text.includes('     last route east→west'));
	assert.ok(text.some((t) => /^ {2}abcdef01 east→edge +→ shipping on edge$/.test(t)), 'the route an event took');
	assert.ok(!text.join('\n').includes('\u001B'), 'control characters are made visible');
	assert.equal(meshLines(snapshot, 120, 5).length, 5, 'never taller than its room');
});
