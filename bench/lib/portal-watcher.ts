// The portal watcher alone, for the portal bench: the actor `eda portal watch`
// runs, in its own process so its CPU and heap are its own. On SIGUSR2 it
// collects garbage (run with --expose-gc) and prints its heap as one JSON line.
import {PortalWatcher} from '../../source/portal/watcher.js';
import {openRedisSession} from '../../source/redis/session.js';

const url = process.argv[process.argv.indexOf('--redis-url') + 1];
const session = await openRedisSession({url, say: () => undefined});
const watcher = new PortalWatcher({session, output: {emit: () => undefined}, discoverMs: 500});
await watcher.start();
process.stdout.write(`${JSON.stringify({ready: true})}\n`);
process.on('SIGUSR2', () => {
	(globalThis as {gc?: () => void}).gc?.();
	process.stdout.write(`${JSON.stringify({heapUsed: process.memoryUsage().heapUsed})}\n`);
});
const stop = () => {
	void watcher.stop().finally(() => session.close().finally(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
