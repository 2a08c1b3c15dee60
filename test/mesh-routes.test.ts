// The mesh's routing as pure functions: distances grow one hop per neighbour,
// the shortest wins, nothing is learned back from the neighbour it goes
// through, a neighbour that cannot be read keeps its routes, the hop limit is
// the horizon, and patterns match as Redis globs.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {computeRoutes, matches, type RouteTable} from '../source/mesh/interest.js';
import {checkTopology} from '../source/mesh/mesh.js';

const table = (entries: [string, number, string][]): RouteTable => new Map(entries.map(([key, dist, via]) => [key, {dist, via, since: 1}]));

describe('mesh routes', () => {
	test('own interest at 0, a neighbour\'s at one hop more, the shortest kept', () => {
		const routes = computeRoutes('a', ['pay'], new Map([
			['b', table([['orders c', 1, 'c'], ['orders b', 0, '']])],
			['c', table([['orders c', 0, '']])],
		]), new Map(), 100);
		assert.deepEqual(Object.fromEntries(routes), {
			'pay a': {dist: 0, via: '', since: 100},
			'orders b': {dist: 1, via: 'b', since: 100},
			'orders c': {dist: 1, via: 'c', since: 100},
		});
	});

	test('poison reverse: a route through this broker is not learned back; nor a route to itself', () => {
		const routes = computeRoutes('a', [], new Map([['b', table([['orders c', 2, 'a'], ['orders a', 1, 'c']])]]), new Map(), 100);
		assert.equal(routes.size, 0);
	});

	test('a neighbour that cannot be read keeps what was learned from it, with its since', () => {
		const previous: RouteTable = new Map([['orders b', {dist: 1, via: 'b', since: 7}], ['orders c', {dist: 1, via: 'c', since: 8}]]);
		const routes = computeRoutes('a', [], new Map([['b', undefined], ['c', table([])]]), previous, 100);
		assert.deepEqual(Object.fromEntries(routes), {'orders b': {dist: 1, via: 'b', since: 7}});
	});

	test('the hop limit is the horizon; a changed next hop starts a new since', () => {
		assert.equal(computeRoutes('a', [], new Map([['b', table([['orders z', 8, 'y']])]]), new Map(), 100, 8).size, 0);
		const previous: RouteTable = new Map([['orders c', {dist: 2, via: 'b', since: 5}]]);
		const routes = computeRoutes('a', [], new Map([['c', table([['orders c', 0, '']])], ['b', table([['orders c', 1, 'c']])]]), previous, 100);
		assert.deepEqual(routes.get('orders c'), {dist: 1, via: 'c', since: 100});
	});

	test('a tie keeps the next hop it had', () => {
		const previous: RouteTable = new Map([['orders d', {dist: 2, via: 'c', since: 5}]]);
		const routes = computeRoutes('a', [], new Map([['b', table([['orders d', 1, 'd']])], ['c', table([['orders d', 1, 'd']])]]), previous, 100);
		assert.deepEqual(routes.get('orders d'), {dist: 2, via: 'c', since: 5});
	});

	test('patterns match as Redis globs', () => {
		assert.equal(matches('orders.*', 'orders.created'), true);
		assert.equal(matches('orders.*', 'ordersXcreated'), false);
		assert.equal(matches('o?ders', 'orders'), true);
		assert.equal(matches('orders', 'orders.created'), false);
	});

	test('a topology of known brokers, each its own Redis, passes', () => {
		const topology = {brokers: [{name: 'east', url: 'redis://127.0.0.1:1'}, {name: 'west', url: 'redis://127.0.0.1:2/0'}], links: [{from: 'east', to: 'west'}]};
		assert.deepEqual(checkTopology(topology), topology);
		assert.throws(() => checkTopology({...topology, links: [{from: 'east', to: 'west'}, {from: 'west', to: 'east'}]}), /given twice/);
	});
});
