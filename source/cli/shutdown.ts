let firstStopAt: number | undefined;

/** True once a stop signal came: a second cause to stop (a closed pipe) must not interrupt the first. */
export function stopRequested(): boolean {
	return firstStopAt !== undefined;
}

/**
 * Notes a stop signal; true when it should end the process at once: a signal
 * again, a second or more after the first (someone who wants out now). One
 * within the second is the same request arriving twice: Ctrl-C reaches a whole
 * pipeline, the reader exits, and the closed pipe asks for the stop as well.
 */
function impatient(): boolean {
	const now = Date.now();
	firstStopAt ??= now;
	return now - firstStopAt >= 1000;
}

export type SignalWatch = {
	/** Resolves on the first SIGINT or SIGTERM. */
	received: Promise<void>;
	/** True once a signal came. */
	readonly fired: boolean;
};

/**
 * Listens for SIGINT/SIGTERM from this moment on, before anything starts, so a
 * signal during start-up still ends in a clean stop (a second signal, a second
 * later, exits at once). Commands race their start against `received`, then stop what started.
 */
export function watchSignals(): SignalWatch {
	let fired = false;
	let resolve: () => void = () => undefined;
	const received = new Promise<void>((r) => (resolve = r));
	const handler = () => {
		const exitNow = impatient();
		if (fired) {
			if (exitNow) process.exit(130);
			return;
		}
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
