// `eda consumer -d` (a deferred worker) and `eda consumer -d --master` (the
// master node): the same classes the dashboard runs, printed headless.
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {watchSignals} from '../cli/shutdown.js';
import {DeferredMaster} from '../deferred/master.js';
import {workerOptions} from '../deferred/options.js';
import {DeferredWorker} from '../deferred/worker.js';
import {openRedisSession} from '../redis/session.js';

export async function run(flags: Flags): Promise<number> {
	// Check every flag before touching Redis: a typo is a usage error, not a hang.
	const options = flags.master ? undefined : workerOptions(flags);
	// Watched from the start, so a signal during start-up still ends in a clean stop.
	const signals = watchSignals();
	const output = consoleOutput(flags.json);
	const session = await openRedisSession({url: flags.redisUrl, say: (line) => process.stderr.write(`${line}\n`)});
	try {
		if (signals.fired) return 0;
		const actor = options ? new DeferredWorker(session, output, options) : new DeferredMaster(session, output);
		// A worker that is stopped hands back what it holds; stop() waits for a start in progress.
		await Promise.race([actor.start(), signals.received]);
		await signals.received;
		await actor.stop();
		return 0;
	} finally {
		await session.close();
	}
}
