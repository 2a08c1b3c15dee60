// Shared by the deferred tests: real `eda` processes and in-process actors.
import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {ActorOutput} from '../source/actors/output.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {waitFor} from './helpers/redis.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type EdaProcess = {
	child: ChildProcess;
	/** Every stdout line so far. */
	lines: string[];
	stderr: string[];
	/** Parsed --json records so far. */
	records(): Record<string, unknown>[];
	waitForLine(match: (line: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
	exited: Promise<number | null>;
	kill(signal?: NodeJS.Signals): Promise<number | null>;
};

/** Runs `node --import tsx cli.tsx <args>` from the repository root. */
export function spawnEda(args: string[]): EdaProcess {
	const child = spawn(process.execPath, ['--import', 'tsx', 'cli.tsx', ...args], {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}});
	const lines: string[] = [];
	const stderr: string[] = [];
	// An unterminated last line still counts once the stream has closed.
	const tails: (() => void)[] = [];
	const collect = (into: string[]) => {
		let rest = '';
		tails.push(() => {
			if (rest) into.push(rest);
			rest = '';
		});
		return (chunk: Buffer) => {
			rest += chunk.toString();
			const parts = rest.split('\n');
			rest = parts.pop() ?? '';
			into.push(...parts);
		};
	};
	child.stdout?.on('data', collect(lines));
	child.stderr?.on('data', collect(stderr));
	// 'close', not 'exit': it comes once the output pipes are drained, so every line is in.
	const exited = new Promise<number | null>((resolve) =>
		child.once('close', (code) => {
			for (const flush of tails) flush();
			resolve(code);
		}),
	);
	return {
		child,
		lines,
		stderr,
		records: () =>
			lines.flatMap((line) => {
				try {
					return [JSON.parse(line) as Record<string, unknown>];
				} catch {
					return [];
				}
			}),
		waitForLine: (match, what, timeoutMs = 60_000) => waitFor(() => lines.find(match), `${what} (stderr: ${stderr.join(' | ')})`, timeoutMs),
		exited,
		async kill(signal = 'SIGKILL') {
			if (child.exitCode === null && child.signalCode === null) child.kill(signal);
			return exited;
		},
	};
}

/** Output that keeps lines and records for assertions. */
export function memoryOutput(): ActorOutput & {lines: string[]; records: Record<string, unknown>[]} {
	const lines: string[] = [];
	const records: Record<string, unknown>[] = [];
	return {
		lines,
		records,
		emit(_actor, newLines, record) {
			lines.push(...newLines);
			records.push(record);
		},
	};
}

export function session(url: string): Promise<RedisSession> {
	return openRedisSession({url, say: () => undefined});
}
