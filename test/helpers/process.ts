// Real CLI processes for tests: `node dist/cli.js ...` (the built CLI, as
// users run it; see built.ts) from the package root, or another entry of the
// package under tsx (bench/run.ts), with their output collected and a way to
// wait for a line.
// (test/helpers/terminal.ts runs one in a pseudo-terminal instead, for the screen.)
import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {builtCli} from './built.js';
import {waitFor} from './redis.js';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Exit = {code: number | null; signal: NodeJS.Signals | null};

export type CliProcess = {
	child: ChildProcess;
	pid: number;
	stdout(): string;
	stderr(): string;
	/** stdout's complete lines (and an unterminated last one once the process has ended). */
	lines(): string[];
	/** The stdout lines that parse as JSON (the --json records), in order. */
	records(): Record<string, unknown>[];
	/** Resolves with the first stdout (or stderr, with `stream`) line matching. */
	waitForLine(match: LineMatch, what?: string, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<string>;
	/**
	 * Polls `check` until it returns a truthy value; fails at once when the
	 * process ends first, and with its output so far after `timeoutMs`.
	 */
	waitUntil<T>(check: () => T | Promise<T>, what: string, timeoutMs?: number): Promise<NonNullable<T>>;
	/** Resolves once the process has ended. */
	exited: Promise<Exit>;
	exitedYet(): Exit | undefined;
	signal(signal: NodeJS.Signals): void;
	/** Sends `signal` (SIGKILL by default) when still running; resolves once it has ended. */
	kill(signal?: NodeJS.Signals): Promise<Exit>;
	/** SIGTERM, then SIGKILL when it has not gone after a while. */
	stop(): Promise<Exit>;
};

export type SpawnOptions = {
	/** Variables to set (undefined removes one). REDIS_URL, PORT, EDA_DEFAULT_REDIS_URL and EDA_TOKEN are removed unless given. */
	env?: Record<string, string | undefined>;
};

const running = new Set<CliProcess>();

function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, REDIS_URL: undefined, PORT: undefined, EDA_DEFAULT_REDIS_URL: undefined, EDA_TOKEN: undefined, NO_COLOR: '1', FORCE_COLOR: undefined, ...extra};
	for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
	return env;
}

/** A substring, a pattern or a test of the whole line. */
type LineMatch = string | RegExp | ((line: string) => boolean);

const matches = (line: string, match: LineMatch) => (typeof match === 'string' ? line.includes(match) : typeof match === 'function' ? match(line) : match.test(line));

export function spawnCli(args: string[], options: SpawnOptions = {}): CliProcess {
	return spawnNode([builtCli(), ...args], options);
}

/** Any TypeScript entry of the package (`bench/run.ts`), under tsx. */
export function spawnScript(script: string, args: string[], options: SpawnOptions = {}): CliProcess {
	return spawnNode(['--import', 'tsx', script, ...args], options);
}

function spawnNode(nodeArgs: string[], options: SpawnOptions): CliProcess {
	const child = spawn(process.execPath, nodeArgs, {
		cwd: packageRoot,
		env: testEnv(options.env),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	let exit: Exit | undefined;
	child.stdout?.setEncoding('utf8');
	child.stderr?.setEncoding('utf8');
	child.stdout?.on('data', (chunk: string) => (out += chunk));
	child.stderr?.on('data', (chunk: string) => (err += chunk));
	const exited = new Promise<Exit>((resolve) => {
		// 'close' waits for the output pipes to drain, so stdout() is complete then.
		child.once('close', (code, signal) => {
			exit = {code, signal};
			running.delete(proc);
			resolve(exit);
		});
	});
	// Complete lines only: a line still being written is not matched half-way.
	const lines = (text: string) => {
		const all = text.split('\n');
		const last = all.pop() ?? '';
		if (exit && last !== '') all.push(last);
		return all;
	};
	const proc: CliProcess = {
		child,
		pid: child.pid ?? -1,
		stdout: () => out,
		stderr: () => err,
		lines: () => lines(out),
		records: () =>
			lines(out).flatMap((line) => {
				try {
					return [JSON.parse(line) as Record<string, unknown>];
				} catch {
					return [];
				}
			}),
		async waitUntil(check, what, timeoutMs = 20_000) {
			let ended = false;
			try {
				return await waitFor(
					async () => {
						const value = await check();
						if (value) return value;
						if (exit) {
							ended = true;
							throw new Error('ended');
						}
						return value;
					},
					what,
					timeoutMs,
				);
			} catch (error) {
				const why = ended ? `the process ended (${JSON.stringify(exit)})` : (error as Error).message;
				throw new Error(`waiting for ${what}: ${why}\nstdout: ${JSON.stringify(out)}\nstderr: ${JSON.stringify(err)}`);
			}
		},
		waitForLine(match, what, timeoutMs = 20_000, stream = 'stdout') {
			return proc.waitUntil(() => lines(stream === 'stdout' ? out : err).find((line) => matches(line, match)), what ?? `a line matching ${String(match)}`, timeoutMs);
		},
		exited,
		exitedYet: () => exit,
		signal(signal) {
			if (!exit) child.kill(signal);
		},
		async kill(signal = 'SIGKILL') {
			if (!exit) child.kill(signal);
			return exited;
		},
		async stop() {
			if (exit) return exit;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			const result = await exited;
			clearTimeout(timer);
			return result;
		},
	};
	running.add(proc);
	return proc;
}

/** Runs the CLI to its end. */
export function runCli(args: string[], options: SpawnOptions = {}): Promise<Exit & {stdout: string; stderr: string}> {
	return runScript('cli.tsx', args, options);
}

/** Runs a TypeScript entry of the package to its end (killed after `timeoutMs`, 30 s by default). */
export async function runScript(script: string, args: string[], options: SpawnOptions & {timeoutMs?: number} = {}): Promise<Exit & {stdout: string; stderr: string}> {
	const proc = spawnScript(script, args, options);
	const timer = setTimeout(() => proc.signal('SIGKILL'), options.timeoutMs ?? 30_000);
	const exit = await proc.exited;
	clearTimeout(timer);
	return {...exit, stdout: proc.stdout(), stderr: proc.stderr()};
}

/** Ends every CLI process a test file started and left running (for after hooks). */
export async function stopAllCli(): Promise<void> {
	await Promise.all([...running].map(async (proc) => {
		proc.signal('SIGCONT');
		proc.signal('SIGKILL');
		await proc.exited;
	}));
}

/** A Node stack trace line, which the CLI must never print. */
export const stackTrace = /^\s+at .+[(:]\d+/m;
