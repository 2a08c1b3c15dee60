// A real pseudo-terminal for end-to-end tests and the benchmark: node-pty runs
// `eda`, @xterm/headless plays the terminal, and tests read its screen as text.
import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import path from 'node:path';
import {builtCli} from './built.js';
import {packageRoot as root} from './process.js';

const {Terminal} = xterm;

export type Term = {
	/** The visible screen, one line per row, trailing spaces cut. */
	screen(): string;
	row(y: number): string;
	waitForScreen(check: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
	/** Writes `data` to the pty in one write (the program reads it in one read). */
	write(data: string): void;
	/** Whether the program left bracketed paste on (ESC[?2004h without ESC[?2004l). */
	bracketedPaste(): boolean;
	resize(columns: number, rows: number): void;
	/** Resolves with the exit code. */
	exited: Promise<number>;
	pid: number;
	/** Bytes the program wrote, for frame counting. */
	bytes(): number;
	kill(): void;
};

export type SpawnOptions = {
	columns?: number;
	rows?: number;
	env?: NodeJS.ProcessEnv;
	/** Run cli.tsx under tsx instead of the built dist/cli.js (the dashboard bench's --tsx). */
	tsx?: boolean;
	/** Extra node flags, e.g. --cpu-prof. */
	nodeArgs?: string[];
};

/** Runs `node dist/cli.js ...args` (the built CLI, see built.ts; or cli.tsx under tsx) in a pty of the given size. */
export function spawnTerminal(args: string[], options: SpawnOptions = {}): Term {
	const columns = options.columns ?? 80;
	const rows = options.rows ?? 24;
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries({...process.env, ...options.env})) {
		// The dashboard draws only outside CI (CI means "print lines"); the test wants the screen.
		if (value === undefined || key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('NODE_TEST')) continue;
		env[key] = value;
	}
	env['TERM'] = 'xterm-256color';
	const term = new Terminal({cols: columns, rows, allowProposedApi: true});
	const child = pty.spawn(process.execPath, [...(options.nodeArgs ?? []), ...(options.tsx ? ['--import', 'tsx', path.join(root, 'cli.tsx')] : [builtCli()]), ...args], {name: 'xterm-256color', cols: columns, rows, cwd: root, env});
	let written = 0;
	// The last output as text, so a test that sees eda exit can say what it printed last (a crash message is cleared by no frame).
	let tail = '';
	const waiters = new Set<() => void>();
	child.onData((data) => {
		written += data.length;
		tail = (tail + data).slice(-4000);
		term.write(data, () => {
			for (const waiter of waiters) waiter();
		});
	});
	let exitSignal: number | undefined;
	const exited = new Promise<number>((resolve) =>
		child.onExit(({exitCode, signal}) => {
			exitSignal = signal;
			resolve(exitCode);
		}),
	);
	const row = (y: number) => term.buffer.active.getLine(y)?.translateToString(true) ?? '';
	const screen = () => Array.from({length: term.rows}, (_, y) => row(y)).join('\n');
	return {
		screen,
		row,
		write: (data) => child.write(data),
		bracketedPaste: () => term.modes.bracketedPasteMode,
		resize(newColumns, newRows) {
			child.resize(newColumns, newRows);
			term.resize(newColumns, newRows);
		},
		exited,
		pid: child.pid,
		bytes: () => written,
		kill: () => child.kill('SIGKILL'),
		waitForScreen(check, what, timeoutMs = 20_000) {
			return new Promise((resolve, reject) => {
				const done = (error?: Error) => {
					clearTimeout(timer);
					waiters.delete(test);
					if (error) reject(error);
					else resolve(screen());
				};
				const test = () => {
					if (check(screen())) done();
				};
				const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}; screen:\n${screen()}`)), timeoutMs);
				waiters.add(test);
				test();
				exited.then((code) =>
					setTimeout(() => {
						if (!waiters.has(test)) return;
						const last = tail.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '').slice(-1500);
						done(new Error(`eda exited (code ${code}, signal ${exitSignal ?? 'none'}) while waiting for ${what}; screen:\n${screen()}\nlast output:\n${last}`));
					}, 50),
				);
			});
		},
	};
}
