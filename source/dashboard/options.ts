// The dashboard's flags, checked before anything starts.
import type {Flags} from '../cli/flags.js';
import {intFlag, sizeFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
import {workerOptions} from '../deferred/options.js';
import type {WorkerOptions} from '../deferred/worker.js';
import {subscriptionError} from '../topics/names.js';
import {producerAuth, type ProducerAuth} from '../producer/auth.js';

export type DashboardOptions = {
	port: number;
	host: string;
	workers: number;
	worker: WorkerOptions;
	topics: string[];
	maxFps: number;
	colorOn: boolean;
	plain: boolean;
	maxBody?: number;
	retain?: number;
	/** The producer's token or --insecure, checked against `host` (protected mode). */
	auth: ProducerAuth;
};

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
	if (value === undefined) return fallback;
	if (!/^\d+$/.test(value.trim())) throw new UserError(`--${name}: expected a whole number, got "${value}"`, 2);
	return intFlag(name, Number(value), fallback, min, max);
}

/** Not a terminal, --plain, or a CI: print log lines instead of drawing a screen. */
export function wantsPlain(flags: Flags, env: NodeJS.ProcessEnv = process.env): boolean {
	const ci = (name: string) => name in env && env[name] !== '0' && env[name] !== 'false';
	return flags.plain || !process.stdout.isTTY || !process.stdin.isTTY || ci('CI') || ci('CONTINUOUS_INTEGRATION');
}

/** NO_COLOR (any non-empty value, per no-color.org) and --no-color turn colour off. */
export function colorWanted(flags: Flags, env: NodeJS.ProcessEnv = process.env): boolean {
	return flags.color && !(env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '');
}

export function dashboardOptions(flags: Flags, env: NodeJS.ProcessEnv = process.env): DashboardOptions {
	const topics = flags.topic ?? [];
	for (const topic of topics) {
		const error = subscriptionError(topic);
		if (error) throw new UserError(`--topic ${topic}: ${error}`, 2);
	}
	const host = flags.host ?? '127.0.0.1';
	return {
		port: int('port', flags.port ?? env['PORT'], 3000, 0, 65535),
		host,
		auth: producerAuth(flags, host, env),
		workers: int('workers', flags.workers, 1, 0, 32),
		worker: workerOptions(flags),
		topics,
		maxFps: int('max-fps', flags.maxFps, 15, 1, 120),
		colorOn: colorWanted(flags, env),
		plain: wantsPlain(flags, env),
		maxBody: flags.maxBody === undefined ? undefined : sizeFlag('max-body', flags.maxBody, 1024 * 1024),
		retain: flags.retain === undefined ? undefined : int('retain', flags.retain, 10_000, 1, 100_000_000),
	};
}
