// npm run bench [-- <name>...] [--quick] [--profile] [--timeout <s>] [--list]
//
// Runs every bench module in bench/ (ingest, deferred, dashboard, topics, portal, mesh, and any other
// bench/*.ts), each in its own process group, bounded in time. Prints a table
// per bench and writes bench/results/<name>-<timestamp>.json plus
// bench/results/latest.json. A bench that is missing is skipped; one that fails
// or hangs is reported and the others still run. The exit code is 1 when any
// bench failed: an error, a missed goal or a failed check (each one named).
// EDA_BENCH_DIR runs the benches of another folder (the runner's own test).
import {execFileSync, spawn} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {parseArgs} from 'node:util';
import {root} from './lib/build.js';
import {exitCodeOf, failed, normalize, renderResult, summaryOf, type BenchResult} from './lib/report.js';

const benchDir = process.env['EDA_BENCH_DIR'] ? path.resolve(process.env['EDA_BENCH_DIR']) : path.join(root, 'bench');
const resultsDir = path.join(benchDir, 'results');
const knownOrder = ['ingest', 'deferred', 'dashboard', 'topics', 'portal', 'browser', 'mesh', 'cluster'];

const usage = `usage: npm run bench -- [name...] [--quick] [--profile] [--timeout <seconds>] [--list]
  name        one or more of the bench modules in bench/ (default: all there are)
  --quick     short runs (a smoke test of the numbers, not the numbers)
  --profile   also write CPU profiles of the system under test, where a bench supports it
  --timeout   per bench, seconds (default 600, 240 with --quick)
  --list      print the benches found and exit`;

function available(): string[] {
	const found = readdirSync(benchDir)
		.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'run.ts')
		.map((f) => f.slice(0, -3));
	return [...knownOrder.filter((n) => found.includes(n)), ...found.filter((n) => !knownOrder.includes(n)).sort()];
}

let interrupted = false;

type ChildMessage = {ok: true; entry: string; value: unknown} | {ok: false; error: string};

function runOne(name: string, flags: string[], timeoutS: number): Promise<BenchResult> {
	const started = new Date();
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'lib', 'child.ts'), path.join(benchDir, `${name}.ts`), name, ...flags], {
			cwd: root,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
			// Its own process group: on a timeout the whole group goes, servers included.
			detached: true,
		});
		let message: ChildMessage | undefined;
		let timedOut = false;
		const killGroup = (signal: NodeJS.Signals) => {
			try {
				if (child.pid) process.kill(-child.pid, signal);
			} catch {
				// Already gone.
			}
		};
		const onSignal = () => {
			interrupted = true;
			killGroup('SIGTERM');
			setTimeout(() => killGroup('SIGKILL'), 3000).unref();
		};
		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
		const timer = setTimeout(() => {
			timedOut = true;
			process.stderr.write(`[run] ${name}: no result after ${timeoutS} s, stopping it\n`);
			killGroup('SIGTERM');
			setTimeout(() => killGroup('SIGKILL'), 5000).unref();
		}, timeoutS * 1000);
		child.on('message', (m) => {
			message = m as ChildMessage;
		});
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
			// Whatever the bench left behind in its group (a server it did not stop) goes too.
			killGroup('SIGKILL');
			const finished = new Date();
			if (message?.ok) {
				const result = normalize(name, message.value, started, finished);
				if (message.entry !== 'default' && message.entry !== 'runIngest') result.notes.push(`ran export ${message.entry}()`);
				resolve(result);
			} else if (message && !message.ok) resolve(failed(name, message.error, started, finished));
			else if (timedOut) resolve(failed(name, `timed out after ${timeoutS} s`, started, finished));
			else resolve(failed(name, `exited (${signal ?? `code ${code}`}) without a result`, started, finished));
		});
		child.on('error', (error) => {
			clearTimeout(timer);
			resolve(failed(name, `could not start: ${error.message}`, started, new Date()));
		});
	});
}

function gitInfo(): {commit: string; dirty: boolean} | undefined {
	try {
		const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
		const dirty = execFileSync('git', ['status', '--porcelain', '--', 'source', 'cli.tsx'], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim() !== '';
		return {commit, dirty};
	} catch {
		return undefined;
	}
}

async function main(): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			allowPositionals: true,
			options: {quick: {type: 'boolean', default: false}, profile: {type: 'boolean', default: false}, list: {type: 'boolean', default: false}, timeout: {type: 'string'}, help: {type: 'boolean', short: 'h', default: false}},
		});
	} catch (error) {
		process.stderr.write(`${(error as Error).message}\n${usage}\n`);
		return 2;
	}
	const {values, positionals} = parsed;
	if (values.help) {
		process.stdout.write(`${usage}\n`);
		return 0;
	}
	const found = available();
	if (values.list) {
		process.stdout.write(`${found.join('\n')}\n`);
		return 0;
	}
	const unknown = positionals.filter((n) => !found.includes(n) && !knownOrder.includes(n));
	if (unknown.length > 0) {
		process.stderr.write(`unknown bench: ${unknown.join(', ')} (found: ${found.join(', ') || 'none'})\n${usage}\n`);
		return 2;
	}
	const timeoutS = values.timeout === undefined ? (values.quick ? 240 : 600) : Number(values.timeout);
	if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
		process.stderr.write(`--timeout: expected seconds, got "${values.timeout}"\n`);
		return 2;
	}
	const wanted = positionals.length > 0 ? positionals : found;
	const flags = [...(values.quick ? ['--quick'] : []), ...(values.profile ? ['--profile'] : [])];
	const startedAt = new Date();
	const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
	mkdirSync(resultsDir, {recursive: true});

	const results: BenchResult[] = [];
	for (const name of wanted) {
		if (!existsSync(path.join(benchDir, `${name}.ts`))) {
			process.stderr.write(`[run] ${name}: bench/${name}.ts is not there (yet); skipped\n`);
			continue;
		}
		process.stderr.write(`[run] ${name}${values.quick ? ' (quick)' : ''}\n`);
		const result = await runOne(name, flags, timeoutS);
		results.push(result);
		process.stdout.write(`\n${renderResult(result)}\n\n`);
		const file = path.join(resultsDir, `${name}-${stamp}.json`);
		writeFileSync(file, `${JSON.stringify({...result, quick: values.quick}, null, 2)}\n`);
		process.stderr.write(`[run] wrote ${path.relative(root, file)}\n`);
		if (interrupted) {
			process.stderr.write('[run] interrupted; the remaining benches are skipped\n');
			break;
		}
	}

	const summary = {
		startedAt: startedAt.toISOString(),
		finishedAt: new Date().toISOString(),
		quick: values.quick,
		argv: process.argv.slice(2),
		machine: {cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}`},
		git: gitInfo(),
		benches: results,
	};
	writeFileSync(path.join(resultsDir, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
	process.stderr.write(`[run] wrote ${path.relative(root, path.join(resultsDir, 'latest.json'))}\n`);

	process.stdout.write(`${summaryOf(results)}\n`);
	return exitCodeOf(results);
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	},
);
