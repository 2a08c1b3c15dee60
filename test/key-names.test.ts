// Names read back: the Log's label from an actor name (dashboard/wiring.ts
// logLabel, for names built by actors/heartbeat.ts actorName and the labs),
// and the hash tag Redis reads from every key name redis/keys.ts builds.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {actorName} from '../source/actors/heartbeat.js';
import {logLabel} from '../source/dashboard/wiring.js';
import {goCompat, keys} from '../source/redis/keys.js';

/** The part of a key Redis Cluster hashes: the first {…} with something in it, else the whole key. */
function hashTag(key: string): string {
	const open = key.indexOf('{');
	if (open === -1) return key;
	const close = key.indexOf('}', open + 1);
	return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

describe('logLabel', () => {
	test("an actor's heartbeat name (kind:host:pid:random) is labelled by its kind", () => {
		for (const kind of ['consumer', 'group-consumer', 'producer', 'master', 'worker'] as const) assert.equal(logLabel(actorName(kind)), kind);
	});

	test("a lab's actors are labelled by the lab, whatever follows", () => {
		assert.equal(logLabel('lab:orders'), 'orders');
		assert.equal(logLabel('lab:orders:payments'), 'orders');
		assert.equal(logLabel('lab:cqrs:projection'), 'cqrs');
		assert.equal(logLabel('lab:deferred'), 'deferred');
	});

	test('lab: with no known lab after it is labelled lab; a name without a colon is its own label', () => {
		assert.equal(logLabel('lab:nosuch:x'), 'lab');
		assert.equal(logLabel('lab'), 'lab');
		assert.equal(logLabel('dashboard'), 'dashboard');
		assert.equal(logLabel(''), '');
	});
});

describe('hash tags in key names', () => {
	test("a topic's stream is tagged with the whole topic name, colons and dots included", () => {
		assert.equal(keys.stream('orders'), 'eda:{orders}:stream');
		for (const topic of ['orders', 'lab.cqrs.orders', 'a:b:c', 'x-y_z']) assert.equal(hashTag(keys.stream(topic)), topic);
	});

	test("every deferred key shares the slot of the Go tool's list message:queue", () => {
		const d = keys.deferred;
		for (const key of [d.seq, d.event('42'), d.scheduled, d.idsForBody('da39a3ee'), d.inflight, d.dead, d.stats, d.channelLeader]) {
			assert.equal(hashTag(key), goCompat.workQueue, key);
		}
		assert.equal(hashTag(goCompat.workQueue), 'message:queue', 'the list, without braces, hashes whole');
	});

	test('the heartbeat index and every heartbeat share one tag, whatever the actor name holds', () => {
		assert.equal(hashTag(keys.actors), 'actors');
		assert.equal(hashTag(keys.actor(actorName('worker'))), 'actors');
		assert.equal(hashTag(keys.actor('odd{name}')), 'actors', 'only the first tag counts');
	});
});
