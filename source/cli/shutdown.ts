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
