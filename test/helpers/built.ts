// The CLI as users run it: `node dist/cli.js`, which `npm test` builds first
// (its pretest). Spawning the bundle costs a third of the CPU of `node --import
// tsx cli.tsx` (0.25 s against 0.75 s a start), and the suite starts a few
// hundred of them. A dist/ older than the sources would test old code, so the
// first spawn refuses it with the command that fixes it.
import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {root, sourcesChangedAt} from '../../bench/lib/build.js';

let checked: string | undefined;

/** The path of dist/cli.js; throws when it is missing or older than cli.tsx or anything in source/. */
export function builtCli(): string {
	if (checked) return checked;
	const cli = path.join(root, 'dist', 'cli.js');
	if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` (`npm test` does it first)');
	if (statSync(cli).mtimeMs < sourcesChangedAt()) throw new Error('dist/cli.js is older than the sources: run `npm run build` (`npm test` does it first)');
	checked = cli;
	return cli;
}
