// `eda` with no subcommand: the live dashboard (source/dashboard/screen.tsx),
// or, without a terminal (or --plain, or CI), the same actors printing their
// lines. This module stays light: what it imports loads before the first frame.
import type {Flags} from '../cli/flags.js';
import {benchStats} from '../dashboard/bench-stats.js';
import {dashboardOptions, type DashboardOptions} from '../dashboard/options.js';
import {loadBackend} from '../dashboard/runtime/backend.js';
import {bracketedPasteOff, bracketedPasteOn} from '../dashboard/input.js';
import {skeleton} from '../dashboard/skeleton.js';

export const altScreenOn = '\u001B[?1049h';
export const altScreenOff = '\u001B[?1049l';

export async function run(flags: Flags): Promise<number> {
	const options = dashboardOptions(flags);
	if (options.plain) return runPlain(flags, options);
	const stats = benchStats(process.env['EDA_BENCH_STATS'], process.stdout);
	// The layout at once, while Ink and React load; then the live screen.
	// Bracketed paste on, so pasted text is told from typed keys (dashboard/input.ts).
	process.stdout.write(`${altScreenOn}${bracketedPasteOn}\u001B[H${skeleton(process.stdout.columns || 80, process.stdout.rows || 24)}`);
	// Off again on every way out, a crash's process.exit included: left on, the
	// user's shell would get the marks around each paste. (SIGKILL runs nothing.)
	const restore = () => process.stdout.write(bracketedPasteOff);
	process.on('exit', restore);
	try {
		const {runScreen} = await withReactProduction(() => import('../dashboard/screen.js'));
		return await runScreen(flags, options, stats);
	} finally {
		process.stdout.write(`${bracketedPasteOff}${altScreenOff}`);
		process.off('exit', restore);
	}
}

/**
 * React's production build unless NODE_ENV says otherwise: the development
 * build checks every render (several times slower under a flood) and is twice
 * the code to compile at start-up. React picks its build when it loads, and
 * Node 20 loads CommonJS dependencies of an ES module graph before evaluating
 * any of it, so NODE_ENV is set around the import of the screen's graph, then
 * put back for the rest (express in the producer sees what the user set).
 */
async function withReactProduction<T>(load: () => Promise<T>): Promise<T> {
	if (process.env['NODE_ENV'] !== undefined) return load();
	process.env['NODE_ENV'] = 'production';
	try {
		return await load();
	} finally {
		delete process.env['NODE_ENV'];
	}
}

/** Headless: the same actors, their lines printed (sanitized) to stdout. */
async function runPlain(flags: Flags, options: DashboardOptions): Promise<number> {
	const [{DashboardRuntime}, {consoleOutput}, {runActors}] = await Promise.all([loadBackend(), import('../actors/output.js'), import('./run-actors.js')]);
	let runtime: InstanceType<typeof DashboardRuntime> | undefined;
	return runActors({
		redisUrl: flags.redisUrl,
		cluster: flags.cluster,
		actors: (session) => [(runtime = new DashboardRuntime({...options, session, output: consoleOutput(flags.json), onQuit: () => {}}))],
		whileRunning: () => {
			process.stderr.write(`eda: no terminal to draw on, printing the actors' lines instead (producer at ${runtime?.producer?.url}); Ctrl-C stops.\n`);
		},
	});
}
