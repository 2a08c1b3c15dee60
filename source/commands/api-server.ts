import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {intFlag, sizeFlag} from '../cli/parse.js';
import {watchSignals} from '../cli/shutdown.js';
import {UserError} from '../errors.js';
import {PortalWatcher} from '../portal/watcher.js';
import {openRedisSession} from '../redis/session.js';
import {defaultRetain} from '../topics/publish.js';
import {producerAuth} from '../producer/auth.js';
import {defaultHost, defaultMaxBody, defaultPort, startProducer} from '../producer/server.js';

export function portFlag(value: string | undefined): number {
	const text = value ?? process.env['PORT'];
	if (text === undefined || text === '') return defaultPort;
	const port = Number(text);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port: expected a port number from 0 to 65535, got "${text}"`, 2);
	return port;
}

export async function run(flags: Flags): Promise<number> {
	const port = portFlag(flags.port);
	const maxBody = sizeFlag('max-body', flags.maxBody, defaultMaxBody);
	const retain = intFlag('retain', flags.retain, defaultRetain, 1, 100_000_000);
	const host = flags.host ?? defaultHost;
	// Protected mode and the token before Redis: a usage error costs nothing.
	const auth = producerAuth(flags, host);
	const signals = watchSignals();
	const say = (line: string) => process.stderr.write(`${line}\n`);
	const session = await Promise.race([openRedisSession({url: flags.redisUrl, say}), signals.received]);
	if (!session) return 0;
	try {
		const producer = await Promise.race([
			startProducer({session, output: consoleOutput(flags.json), host, port, maxBody, retain, auth}),
			signals.received,
		]);
		// The portal watcher reads what the producer stored, off the publish path (--no-portal: none here).
		const watcher = producer && flags.portal !== false ? new PortalWatcher({session}) : undefined;
		await watcher?.start();
		await signals.received;
		await producer?.close();
		await watcher?.stop();
	} finally {
		await session.close();
	}
	return 0;
}
