// `eda consumer -d` (a deferred worker) and `eda consumer -d --master` (the
// master node): the same classes the dashboard runs, printed headless.
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {DeferredMaster} from '../deferred/master.js';
import {queueFlag, workerOptions} from '../deferred/options.js';
import {DeferredWorker} from '../deferred/worker.js';
import {runActors} from './run-actors.js';

export async function run(flags: Flags, role: 'worker' | 'master'): Promise<number> {
	// Check every flag before touching Redis: a typo is a usage error, not a hang.
	const options = role === 'worker' ? workerOptions(flags) : undefined;
	const queue = queueFlag(flags.queue);
	const output = consoleOutput(flags.json);
	return runActors({
		redisUrl: flags.redisUrl,
		cluster: flags.cluster,
		// A worker that is stopped hands back what it holds; stop() waits for a start in progress.
		actors: (session) => [options ? new DeferredWorker(session, output, options) : new DeferredMaster(session, output, {queue})],
	});
}
