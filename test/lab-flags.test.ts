// The labs' flags as pure functions: --fail-rate's forms and what it refuses,
// --burst's bounds, and which lab each flag belongs to. No Redis here.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {foreignFlag, type Flags} from '../source/cli/flags.js';
import {UserError} from '../source/errors.js';
import {labOptionsFromFlags} from '../source/commands/lab.js';
import {maxBurst} from '../source/labs/deferred/lab.js';
import {describeFailRates, parseFailRates} from '../source/labs/orders/fail-rates.js';

const flags = (extra: Partial<Flags>): Flags => ({json: false, topic: [], fromStart: false, defferedExec: false, deferredExec: false, master: false, dead: false, color: true, plain: false, ...extra});

/** A usage error (exit 2) whose one line matches `message`. */
function assertUsage(run: () => unknown, message: RegExp): void {
	assert.throws(run, (error: unknown) => {
		assert.ok(error instanceof UserError, String(error));
		assert.equal(error.exitCode, 2);
		assert.doesNotMatch(error.message, /\n/, 'one line');
		assert.match(error.message, message);
		return true;
	});
}

describe('parseFailRates', () => {
	test('absent: the fallback for all three', () => {
		assert.deepEqual(parseFailRates(undefined, 0.1), {failRate: 0.1, failRates: {}});
	});

	test('one share for all three', () => {
		assert.deepEqual(parseFailRates('0.2', 0.1), {failRate: 0.2, failRates: {}});
		assert.deepEqual(parseFailRates('0', 0.1), {failRate: 0, failRates: {}});
		assert.deepEqual(parseFailRates('1', 0.1), {failRate: 1, failRates: {}});
		assert.deepEqual(parseFailRates('.5', 0.1), {failRate: 0.5, failRates: {}});
	});

	test('per service: the ones not named keep the fallback', () => {
		assert.deepEqual(parseFailRates('payments=0.3,shipping=0', 0.1), {failRate: 0.1, failRates: {payments: 0.3, shipping: 0}});
		assert.deepEqual(parseFailRates('inventory=1', 0.1), {failRate: 0.1, failRates: {inventory: 1}});
	});

	test('a bare share with named ones: the bare one is for the rest, in any order', () => {
		assert.deepEqual(parseFailRates('0.1,shipping=0.5', 0.2), {failRate: 0.1, failRates: {shipping: 0.5}});
		assert.deepEqual(parseFailRates('shipping=0.5,0', 0.2), {failRate: 0, failRates: {shipping: 0.5}});
	});

	test('spaces around parts and around = are fine', () => {
		assert.deepEqual(parseFailRates(' payments = 0.3 , 0.2 ', 0.1), {failRate: 0.2, failRates: {payments: 0.3}});
	});

	test('an unknown service is refused, naming the ones that can fail', () => {
		assertUsage(() => parseFailRates('payment=0.3', 0.1), /--fail-rate "payment=0.3": unknown service "payment"; the services that can fail are payments, inventory, shipping$/);
		assertUsage(() => parseFailRates('0.1,Payments=0.3', 0.1), /unknown service "Payments"/);
		assertUsage(() => parseFailRates('=0.3', 0.1), /names no service; the services that can fail are payments, inventory, shipping/);
	});

	test('a service without a failure knob is refused as such', () => {
		assertUsage(() => parseFailRates('orders=0.3', 0.1), /orders has no failure rate; the services that can fail are payments, inventory, shipping/);
		assertUsage(() => parseFailRates('notifications=0', 0.1), /notifications has no failure rate/);
	});

	test('a share outside 0..1, or not a share, is refused', () => {
		for (const bad of ['1.5', '-0.1', '20%', 'abc', '1e-1', 'NaN', 'Infinity']) {
			assertUsage(() => parseFailRates(bad, 0.1), new RegExp(`"${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not a share from 0 to 1`));
		}
		assertUsage(() => parseFailRates('payments=2', 0.1), /payments: "2" is not a share from 0 to 1/);
		assertUsage(() => parseFailRates('payments=', 0.1), /payments: "" is not a share from 0 to 1/);
		assertUsage(() => parseFailRates('payments=0.1=0.2', 0.1), /payments: "0.1=0.2" is not a share/);
	});

	test('empty parts, two bare shares and a service given twice are refused', () => {
		assertUsage(() => parseFailRates('', 0.1), /an empty part/);
		assertUsage(() => parseFailRates('0.1,,shipping=0', 0.1), /an empty part/);
		assertUsage(() => parseFailRates('payments=0.3,', 0.1), /an empty part/);
		assertUsage(() => parseFailRates('0.1,0.2', 0.1), /two shares for the services not named/);
		assertUsage(() => parseFailRates('shipping=0,shipping=1', 0.1), /shipping is given twice/);
	});

	test('describeFailRates says each in percent', () => {
		assert.equal(describeFailRates({payments: 0.3, inventory: 0, shipping: 1}), 'payments 30%, inventory 0%, shipping 100%');
	});
});

describe('labOptionsFromFlags', () => {
	test('--fail-rate reaches the orders lab as a base and overrides', () => {
		const options = labOptionsFromFlags('orders', flags({failRate: '0.05,inventory=0.5'}));
		assert.equal(options.failRate, 0.05);
		assert.deepEqual(options.failRates, {inventory: 0.5});
		assert.equal(labOptionsFromFlags('orders', flags({})).failRate, 0.1);
	});

	test('--burst: a whole number from 1 to maxBurst, for the deferred lab only', () => {
		assert.equal(maxBurst, 1000);
		assert.equal(labOptionsFromFlags('deferred', flags({})).burst, 12);
		assert.equal(labOptionsFromFlags('deferred', flags({burst: '1'})).burst, 1);
		assert.equal(labOptionsFromFlags('deferred', flags({burst: '1000'})).burst, 1000);
		for (const bad of ['0', '1001', '-3', '2.5', 'many', '']) {
			assertUsage(() => labOptionsFromFlags('deferred', flags({burst: bad})), /^--burst: expected a whole number from 1 to 1000/);
		}
		// Which lab takes which flag is the command table's (source/cli/flags.ts), checked before the options.
		assert.equal(foreignFlag('lab orders', ['--burst', '5']), 'eda lab orders does not take --burst; eda lab deferred does');
		assert.equal(foreignFlag('lab cqrs', ['--burst=5']), 'eda lab cqrs does not take --burst; eda lab deferred does');
	});

	test('--fail-rate goes with the orders lab only', () => {
		assert.equal(foreignFlag('lab deferred', ['--fail-rate', '0.2']), 'eda lab deferred does not take --fail-rate; eda (the dashboard), eda consumer -d and eda lab orders do');
		assert.equal(foreignFlag('lab cqrs', ['--fail-rate', '0.2']), 'eda lab cqrs does not take --fail-rate; eda (the dashboard), eda consumer -d and eda lab orders do');
	});
});
