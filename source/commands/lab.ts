// `eda lab <name>`: a concept lab headless, with its own producer, printing
// what happens until SIGINT or SIGTERM.
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {durationFlag, intFlag} from '../cli/parse.js';
import {watchSignals} from '../cli/shutdown.js';
import {UserError, describeError} from '../errors.js';
import {labNames, type LabName} from '../labs/lab.js';
import {maxReplicas} from '../labs/cqrs/lab.js';
import {maxBurst} from '../labs/deferred/lab.js';
import {parseFailRates} from '../labs/orders/fail-rates.js';
import {createLab, labListText, type AnyLabOptions} from '../labs/registry.js';
import {summaryLine} from '../labs/summary.js';
import {openRedisSession} from '../redis/session.js';
import {safeJson} from '../text/index.js';
import {producerAuth} from '../producer/auth.js';
import {defaultHost} from '../producer/server.js';
import {portFlag} from './api-server.js';

/** Flags that belong to one lab only: given to another, they are a usage error. */
const onlyFor: Partial<Record<keyof Flags, {lab: LabName; flag: string}>> = {
	failRate: {lab: 'orders', flag: '--fail-rate'},
	projectionDelay: {lab: 'cqrs', flag: '--projection-delay'},
	replicas: {lab: 'cqrs', flag: '--replicas'},
	interval: {lab: 'deferred', flag: '--interval'},
	workers: {lab: 'deferred', flag: '--workers'},
	burst: {lab: 'deferred', flag: '--burst'},
};

/** Events a second: 0 to 1000, fractions allowed. */
export function perSecondFlag(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined) return fallback;
	const number = /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
	if (!Number.isFinite(number) || number < 0 || number > 1000) throw new UserError(`--${name}: expected a number a second from 0 to 1000, got "${value}"`, 2);
	return number;
}

export function labOptionsFromFlags(name: LabName, flags: Flags): Omit<AnyLabOptions, 'session' | 'output'> {
	for (const [key, owner] of Object.entries(onlyFor)) {
		if (owner && owner.lab !== name && flags[key as keyof Flags] !== undefined) throw new UserError(`${owner.flag} goes with eda lab ${owner.lab}, not ${name}`, 2);
	}
	if (name === 'deferred' && flags.rate !== undefined) throw new UserError('--rate goes with eda lab orders or cqrs, not deferred', 2);
	const host = flags.host ?? defaultHost;
	return {
		port: portFlag(flags.port),
		host,
		auth: producerAuth(flags, host),
		rate: perSecondFlag('rate', flags.rate, 1),
		...parseFailRates(flags.failRate, 0.1),
		projectionDelayMs: durationFlag('projection-delay', flags.projectionDelay, 0),
		replicas: intFlag('replicas', flags.replicas, 2, 0, maxReplicas),
		slowIntervalMs: durationFlag('interval', flags.interval, 10_000),
		fastWorkers: intFlag('workers', flags.workers, 4, 1, 64),
		burst: intFlag('burst', flags.burst, 12, 1, maxBurst),
		// Headless: probe read-your-writes now and then; compare the drains after 30 s.
		probeEveryMs: 10_000,
		switchAfterMs: 30_000,
		// The portal lab's producer changes shape every 20 s on its own (v steps at once in the Labs view).
		stepMs: 20_000,
	};
}

export async function run(args: string[], flags: Flags): Promise<number> {
	const [name, ...rest] = args;
	if (name === undefined || name === 'list' || name === 'help') {
		process.stdout.write(labListText());
		return 0;
	}
	if (!(labNames as readonly string[]).includes(name)) throw new UserError(`Unknown lab: ${name}; the labs are ${labNames.join(', ')} (eda lab lists them)`, 2);
	if (rest.length > 0) throw new UserError(`eda lab ${name} takes no more arguments; got ${rest.join(' ')}`, 2);
	const labName = name as LabName;
	const options = labOptionsFromFlags(labName, flags);

	// From here on a signal (or a reader going away) means a clean stop, even mid-start.
	const signals = watchSignals();
	const say = (line: string) => process.stderr.write(`${line}\n`);
	const session = await Promise.race([openRedisSession({url: flags.redisUrl, say}), signals.received]);
	if (!session) return 0;
	const output = consoleOutput(flags.json);
	const lab = createLab(labName, {...options, session, output});
	try {
		await lab.start();
	} catch (error) {
		await session.close();
		throw error;
	}
	if (!signals.fired) {
		const summary = setInterval(() => {
			lab.snapshot().then(
				(snapshot) => process.stdout.write(flags.json ? `${safeJson({actor: `lab:${labName}`, event: 'summary', line: summaryLine(snapshot)})}\n` : `${summaryLine(snapshot)}\n`),
				(error: unknown) => say(`eda lab ${labName}: ${describeError(error)}`),
			);
		}, 10_000);
		await signals.received;
		clearInterval(summary);
	}
	await lab.stop();
	await session.close();
	return 0;
}
