// The worker and master flags, checked once for the headless command and the dashboard.
import type {Flags} from '../cli/flags.js';
import {durationFlag, intFlag, rateFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
import {defaultQueue} from '../redis/keys.js';
import type {WorkerOptions} from './worker.js';

export function workerOptions(flags: Flags): WorkerOptions {
	const leaseMs = durationFlag('lease', flags.lease, 30_000);
	if (leaseMs < 100) throw new UserError(`--lease: at least 100ms, got ${flags.lease ?? ''}`, 2);
	return {
		intervalMs: durationFlag('interval', flags.interval, 10_000),
		concurrency: intFlag('concurrency', flags.concurrency, 1, 1, 1000),
		leaseMs,
		maxAttempts: intFlag('max-attempts', flags.maxAttempts, 5, 1, 1000),
		backoffMs: durationFlag('backoff', flags.backoff, 1000),
		workTimeMs: durationFlag('work-time', flags.workTime, 0),
		failRate: rateFlag('fail-rate', flags.failRate, 0),
		queue: queueFlag(flags.queue),
	};
}

/** Why a deferred queue name cannot be used, or undefined: it becomes a hash tag (no braces) and a key part. */
export function queueError(name: string): string | undefined {
	if (name === '' || name.length > 100) return `queue name "${name.slice(0, 40)}" must be 1 to 100 characters`;
	if (/[{}\s\p{Cc}]/u.test(name)) return `queue name "${name.slice(0, 40).replace(/[\p{Cc}]/gu, '?')}" may not hold braces, spaces or control characters`;
	return undefined;
}

/** --queue: a named deferred queue, else the default message:queue. */
export function queueFlag(value: string | undefined): string {
	if (value === undefined) return defaultQueue;
	const problem = queueError(value);
	if (problem) throw new UserError(`--queue: ${problem}`, 2);
	return value;
}
