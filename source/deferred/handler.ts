import {delay} from './waker.js';

export type DeferredEvent = {id: string; body: string; attempts: number};

/** What a worker runs per event; a throw means "failed, retry later". */
export type DeferredHandler = (event: DeferredEvent) => Promise<void>;

/**
 * The demo handler: takes `workTimeMs` per event (so leases and in-flight
 * events can be watched) and throws for a `failRate` share of attempts (so
 * retries and the dead-letter list can be seen).
 */
export function demoHandler(workTimeMs: number, failRate: number): DeferredHandler {
	return async (event) => {
		if (workTimeMs > 0) await delay(workTimeMs);
		if (failRate > 0 && Math.random() < failRate) {
			throw new Error(`demo handler failed on purpose (--fail-rate ${failRate}, attempt ${event.attempts})`);
		}
	};
}
