// The producer's flags (--port, --host, --max-body, --retain and the token
// flags), checked once with the same defaults and the same words for
// eda api-server, the dashboard and the labs.
import type {Flags} from '../cli/flags.js';
import {intFlag, sizeFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
import {defaultRetain} from '../topics/publish.js';
import {producerAuth, type ProducerAuth} from './auth.js';
import {defaultHost, defaultMaxBody, defaultPort} from './server.js';

export type ProducerFlagOptions = {
	port: number;
	host: string;
	maxBody: number;
	retain: number;
	/** --wait-replicas: replicas that must acknowledge an event before 200 (0: none). */
	waitReplicas: number;
	/** The token or --insecure, checked against `host` (protected mode). */
	auth: ProducerAuth;
};

/** --port, else PORT from the environment, else 3000. */
function portFlag(value: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
	const text = value ?? env['PORT'];
	if (text === undefined || text === '') return defaultPort;
	// Digits only: Number() would take "0x10" and "1e3" for ports.
	const port = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port: expected a port number from 0 to 65535, got "${text}"`, 2);
	return port;
}

export function producerOptions(flags: Flags, env: NodeJS.ProcessEnv = process.env): ProducerFlagOptions {
	const host = flags.host ?? defaultHost;
	return {
		port: portFlag(flags.port, env),
		host,
		maxBody: sizeFlag('max-body', flags.maxBody, defaultMaxBody),
		retain: intFlag('retain', flags.retain, defaultRetain, 1, 100_000_000),
		waitReplicas: intFlag('wait-replicas', flags.waitReplicas, 0, 0, 16),
		// Protected mode and the token before Redis: a usage error costs nothing.
		auth: producerAuth(flags, host, env),
	};
}
