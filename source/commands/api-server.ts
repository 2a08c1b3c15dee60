// `eda api-server`: the HTTP producer, headless, until SIGINT or SIGTERM.
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {PortalWatcher} from '../portal/watcher.js';
import {producerOptions} from '../producer/options.js';
import {startProducer, type RunningProducer} from '../producer/server.js';
import {runActors} from './run-actors.js';

export async function run(flags: Flags): Promise<number> {
	const options = producerOptions(flags);
	return runActors({
		redisUrl: flags.redisUrl,
		cluster: flags.cluster,
		actors: (session) => {
			let producer: Promise<RunningProducer> | undefined;
			// The portal watcher reads what the producer stored, off the publish path (--no-portal: none here).
			const watcher = flags.portal === false ? undefined : new PortalWatcher({session});
			return [
				{
					start: () => (producer = startProducer({session, output: consoleOutput(flags.json), ...options})),
					// Only a producer that started has anything to close.
					stop: async () => (await producer?.catch(() => undefined))?.close(),
				},
				...(watcher ? [watcher] : []),
			];
		},
	});
}
