/**
 * A sleep that something else can cut short: loops wait for "the next due
 * time, or news, whichever comes first" without polling.
 */
export class Waker {
	private pending: (() => void) | undefined;
	private timer: NodeJS.Timeout | undefined;
	/** Local ms when the current sleep ends by itself; Infinity when awake. */
	wakeAt = Number.POSITIVE_INFINITY;
	private early = false;

	sleep(ms: number): Promise<void> {
		if (this.early) {
			// A wake() arrived while the loop was busy: do not sleep through it.
			this.early = false;
			return Promise.resolve();
		}
		return new Promise((resolve) => {
			this.wakeAt = Date.now() + ms;
			this.pending = resolve;
			this.timer = setTimeout(() => this.wake(), Math.max(0, ms));
		});
	}

	wake(): void {
		if (!this.pending) {
			this.early = true;
			return;
		}
		const resolve = this.pending;
		this.pending = undefined;
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.wakeAt = Number.POSITIVE_INFINITY;
		resolve();
	}
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The first half of a master's or worker's stop: let a start that is still
 * connecting finish, wake the loop, and wait for it to end. Both waits are
 * bounded (2 s): on a Redis that is down either would otherwise hold the stop
 * forever.
 */
export async function endLoop(starting: Promise<unknown> | undefined, waker: Waker | Waker[], running: Promise<unknown> | undefined | (Promise<unknown> | undefined)[]): Promise<void> {
	await Promise.race([starting?.catch(() => undefined), delay(2000)]);
	for (const each of Array.isArray(waker) ? waker : [waker]) each.wake();
	await Promise.race([Array.isArray(running) ? Promise.all(running) : running, delay(2000)]);
}
