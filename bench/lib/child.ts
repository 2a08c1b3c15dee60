// Runs one bench module in its own process (started by bench/run.ts), so a
// crash, a hang or a stray process.exit in one bench cannot take the runner or
// the other benches with it. Sends back {ok, value} or {ok: false, error}.
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import type {BenchOptions} from './report.js';

type Exported = Record<string, unknown>;

/** The async function a bench module offers, by the names benches are likely to use. */
export function pickEntry(name: string, exported: Exported): {key: string; fn: (options: BenchOptions) => unknown} | undefined {
	const cap = name.charAt(0).toUpperCase() + name.slice(1);
	const preferred = ['default', 'run', 'bench', `run${cap}`, `bench${cap}`, `${name}Bench`, `run${cap}Bench`, 'main'];
	for (const key of preferred) {
		const value = exported[key];
		if (typeof value === 'function') return {key, fn: value as (options: BenchOptions) => unknown};
	}
	const functions = Object.entries(exported).filter(([, value]) => typeof value === 'function');
	const named = functions.filter(([key]) => /bench|run/i.test(key));
	const chosen = named.length === 1 ? named[0] : functions.length === 1 ? functions[0] : undefined;
	return chosen ? {key: chosen[0], fn: chosen[1] as (options: BenchOptions) => unknown} : undefined;
}

function send(message: unknown): Promise<void> {
	return new Promise((resolve) => {
		if (!process.send) {
			process.stdout.write(`${JSON.stringify(message)}\n`);
			resolve();
			return;
		}
		process.send(message, () => resolve());
	});
}

function describe(error: unknown): string {
	if (error instanceof Error) return error.stack ?? error.message;
	return String(error);
}

async function main(): Promise<void> {
	const [file, name, ...rest] = process.argv.slice(2);
	if (!file || !name) throw new Error('usage: child.ts <bench file> <name> [--quick] [--profile]');
	const options: BenchOptions = {
		quick: rest.includes('--quick'),
		profile: rest.includes('--profile'),
		log: (line) => process.stderr.write(`[${name}] ${line}\n`),
	};
	const exported = (await import(pathToFileURL(path.resolve(file)).href)) as Exported;
	const entry = pickEntry(name, exported);
	if (!entry) {
		const keys = Object.keys(exported);
		throw new Error(`bench/${name}.ts exports no bench function (exports: ${keys.length > 0 ? keys.join(', ') : 'none'})`);
	}
	const value = await entry.fn(options);
	// Through JSON: functions and cycles cannot cross the process boundary anyway.
	await send({ok: true, entry: entry.key, value: JSON.parse(JSON.stringify(value ?? null)) as unknown});
}

process.on('unhandledRejection', (error) => {
	void send({ok: false, error: `unhandled rejection: ${describe(error)}`}).finally(() => process.exit(1));
});

main().then(
	() => process.exit(0),
	(error: unknown) => {
		void send({ok: false, error: describe(error)}).finally(() => process.exit(1));
	},
);
