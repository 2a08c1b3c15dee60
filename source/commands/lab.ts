// `eda lab <name>`: a concept lab headless, with its own producer, printing
// what happens until SIGINT or SIGTERM.
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {durationFlag, intFlag} from '../cli/parse.js';
import {UserError, describeError} from '../errors.js';
import {labNames, type LabName} from '../labs/lab.js';
import {maxReplicas} from '../labs/cqrs/lab.js';
import {maxBurst} from '../labs/deferred/lab.js';
import {parseFailRates} from '../labs/orders/fail-rates.js';
import {createLab, labListText, type AnyLabOptions} from '../labs/registry.js';
import {summaryLine} from '../labs/summary.js';
import {safeJson} from '../text/index.js';
import {producerOptions} from '../producer/options.js';
import {runActors} from './run-actors.js';

/** Events a second: 0 to 1000, fractions allowed. */
export function perSecondFlag(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined) return fallback;
	const number = /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
	if (!Number.isFinite(number) || number < 0 || number > 1000) throw new UserError(`--${name}: expected a number a second from 0 to 1000, got "${value}"`, 2);
	return number;
}

export function labOptionsFromFlags(name: LabName, flags: Flags): Omit<AnyLabOptions, 'session' | 'output'> {
	// Which lab takes which flag: source/cli/flags.ts commandFlags, checked in cli.tsx before this.
	const {port, host, auth} = producerOptions(flags);
	return {
		port,
		host,
		auth,
		rate: perSecondFlag('rate', flags.rate, name === 'mesh' ? 10 : 1),
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

	const say = (line: string) => process.stderr.write(`${line}\n`);
	const output = consoleOutput(flags.json);
	let lab: ReturnType<typeof createLab> | undefined;
	return runActors({
		redisUrl: flags.redisUrl,
		cluster: flags.cluster,
		actors: (session) => [(lab = createLab(labName, {...options, session, output}))],
		whileRunning: () => {
			const summary = setInterval(() => {
				lab?.snapshot().then(
					(snapshot) => process.stdout.write(flags.json ? `${safeJson({actor: `lab:${labName}`, event: 'summary', line: summaryLine(snapshot)})}\n` : `${summaryLine(snapshot)}\n`),
					(error: unknown) => say(`eda lab ${labName}: ${describeError(error)}`),
				);
			}, 10_000);
			return () => clearInterval(summary);
		},
	});
}
