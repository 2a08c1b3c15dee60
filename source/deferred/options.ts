// The worker and master flags, checked once for the headless command and the dashboard.
import type {Flags} from '../cli/flags.js';
import {durationFlag, intFlag, rateFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
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
	};
}
