// The dashboard's flags, checked before anything starts.
import type {Flags} from '../cli/flags.js';
import {intFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
import {workerOptions} from '../deferred/options.js';
import type {WorkerOptions} from '../deferred/worker.js';
import {topologyFromFlags, type Topology} from '../mesh/mesh.js';
import {subscriptionError} from '../topics/names.js';
import type {ProducerAuth} from '../producer/auth.js';
import {producerOptions} from '../producer/options.js';

/** In-process deferred workers the dashboard starts with. */
const defaultWorkers = 1;
/** Most frames a second. */
const defaultMaxFps = 15;

export type DashboardOptions = {
	port: number;
	host: string;
	workers: number;
	worker: WorkerOptions;
	topics: string[];
	maxFps: number;
	colorOn: boolean;
	plain: boolean;
	maxBody: number;
	retain: number;
	/** The producer's token or --insecure, checked against `host` (protected mode). */
	auth: ProducerAuth;
	/** The Mesh view: on with --mesh (the figures on this Redis) or a topology (--broker/--link, --config), checked as eda mesh checks it. */
	mesh?: {topology?: Topology};
};

function meshOption(flags: Flags): DashboardOptions['mesh'] {
	const topologyGiven = (flags.broker ?? []).length > 0 || (flags.link ?? []).length > 0 || flags.config !== undefined;
	if (topologyGiven) return {topology: topologyFromFlags(flags)};
	return flags.mesh ? {} : undefined;
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
	// The producer's flags as eda api-server reads them: the same defaults, the same words.
	const {port, host, auth, maxBody, retain} = producerOptions(flags, env);
	return {
		port,
		host,
		auth,
		workers: intFlag('workers', flags.workers, defaultWorkers, 0, 32),
		worker: workerOptions(flags),
		topics,
		maxFps: intFlag('max-fps', flags.maxFps, defaultMaxFps, 1, 120),
		colorOn: colorWanted(flags, env),
		plain: wantsPlain(flags, env),
		maxBody,
		retain,
		mesh: meshOption(flags),
	};
}
