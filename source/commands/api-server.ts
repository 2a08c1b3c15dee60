import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {intFlag, sizeFlag} from '../cli/parse.js';
import {untilSignal} from '../cli/shutdown.js';
import {UserError} from '../cli/user-error.js';
import {openRedisSession} from '../redis/session.js';
import {defaultRetain} from '../topics/publish.js';
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
	const say = (line: string) => process.stderr.write(`${line}\n`);
	const session = await openRedisSession({url: flags.redisUrl, say});
	let producer;
	try {
		producer = await startProducer({session, output: consoleOutput(flags.json), host: flags.host ?? defaultHost, port, maxBody, retain});
	} catch (error) {
		await session.close();
		throw error;
	}
	const running = producer;
	await untilSignal(async () => {
		await running.close();
		await session.close();
	});
	return 0;
}
