// `eda consumer -d` (a deferred worker) and `eda consumer -d --master` (the
// master node): the same classes the dashboard runs, printed headless.
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {untilSignal} from '../cli/shutdown.js';
import {DeferredMaster} from '../deferred/master.js';
import {workerOptions} from '../deferred/options.js';
import {DeferredWorker} from '../deferred/worker.js';
import {openRedisSession} from '../redis/session.js';

export async function run(flags: Flags): Promise<number> {
	// Check every flag before touching Redis: a typo is a usage error, not a hang.
	const options = flags.master ? undefined : workerOptions(flags);
	const output = consoleOutput(flags.json);
	const session = await openRedisSession({url: flags.redisUrl, say: (line) => process.stderr.write(`${line}\n`)});
	const actor = options ? new DeferredWorker(session, output, options) : new DeferredMaster(session, output);
	const stopped = untilSignal(() => actor.stop());
	await actor.start();
	await stopped;
	await session.close();
	return 0;
}
