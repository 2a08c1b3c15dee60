/**
 * Runs `stop` once on SIGINT or SIGTERM (a second signal exits at once), then
 * resolves the returned promise, so a command can `await` its own end.
 */
export function untilSignal(stop: () => Promise<void>): Promise<void> {
	return new Promise((resolve) => {
		let stopping = false;
		const handler = () => {
			if (stopping) process.exit(130);
			stopping = true;
			stop().then(resolve, resolve);
		};
		process.on('SIGINT', handler);
		process.on('SIGTERM', handler);
	});
}

export type SignalWatch = {
	/** Resolves on the first SIGINT or SIGTERM. */
	received: Promise<void>;
	/** True once a signal came. */
	readonly fired: boolean;
};

/**
 * Listens for SIGINT/SIGTERM from this moment on, before anything starts, so a
 * signal during start-up still ends in a clean stop (a second signal exits at
 * once). Commands race their start against `received`, then stop what started.
 */
export function watchSignals(): SignalWatch {
	let fired = false;
	let resolve: () => void = () => undefined;
	const received = new Promise<void>((r) => (resolve = r));
	const handler = () => {
		if (fired) process.exit(130);
		fired = true;
		resolve();
	};
	process.on('SIGINT', handler);
	process.on('SIGTERM', handler);
	return {
		received,
		get fired() {
			return fired;
		},
	};
}
