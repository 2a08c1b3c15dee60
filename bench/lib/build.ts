// Benches measure the built producer (dist/, plain node), as users run it.
// When dist/ is older than the sources, `npm run build` refreshes it first.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
	let newest = 0;
	for (const entry of readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
		else if (/\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
	}
	return newest;
}

export type BuildState = {
	/** True when dist/cli.js is there and no newer than the sources (after a build if one was needed). */
	fresh: boolean;
	built: boolean;
	/** tsc's complaints, when it had any (it still emits). */
	errors: string[];
};

/** When cli.tsx or anything in source/ last changed (ms); dist/cli.js older than this is stale (the tests check it too). */
export function sourcesChangedAt(): number {
	return Math.max(newestMtime(path.join(root, 'source')), statSync(path.join(root, 'cli.tsx')).mtimeMs);
}

export function ensureDist(log: (line: string) => void): BuildState {
	const cli = path.join(root, 'dist', 'cli.js');
	const sourcesAt = sourcesChangedAt;
	const isFresh = () => existsSync(cli) && statSync(cli).mtimeMs >= sourcesAt();
	if (isFresh()) return {fresh: true, built: false, errors: []};
	log('dist/ is older than the sources: npm run build');
	const result = spawnSync('npm', ['run', 'build'], {cwd: root, encoding: 'utf8', timeout: 180_000});
	const errors = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').filter((line) => /error TS\d+/.test(line));
	if (result.status !== 0) log(`npm run build exited ${result.status ?? result.signal}; ${errors.length} type error(s) (tsc still emits)`);
	// tsc emits even with type errors; what counts is whether dist is now current.
	return {fresh: existsSync(cli) && statSync(cli).mtimeMs >= sourcesAt() - 1, built: true, errors};
}
