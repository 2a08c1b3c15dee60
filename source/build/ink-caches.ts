// Ink 6.8 keeps two module-level caches with no bound: measureText's and
// wrapText's, keyed by every distinct string ever rendered (ink#986). A
// dashboard showing a live log renders new strings all day, so they grow until
// the process is killed. Bundling is where the product's copy of Ink is made,
// so this is where they get a bound: each is emptied once it holds
// `inkCacheLimit` entries (recomputing a width is cheap; a screen holds far
// fewer strings).
import {readFile} from 'node:fs/promises';
import type {Plugin} from 'esbuild';

export const inkCacheLimit = 5000;

export type Patch = {file: RegExp; edits: [from: string, to: string][]};

export const inkPatches: Patch[] = [
	{
		file: /[\\/]ink[\\/]build[\\/]measure-text\.js$/,
		edits: [['cache.set(text, dimensions);', `if (cache.size >= ${inkCacheLimit}) cache.clear();\n    cache.set(text, dimensions);`]],
	},
	{
		file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
		edits: [
			['const cache = {};', 'let cache = {};\nlet cached = 0;'],
			['cache[cacheKey] = wrappedText;', `if (++cached > ${inkCacheLimit}) {\n        cache = {};\n        cached = 1;\n    }\n    cache[cacheKey] = wrappedText;`],
		],
	},
];

/** Applies the edits; a file that no longer reads as expected stops the build, so an Ink upgrade is looked at, not silently left unbounded. */
export function patchSource(source: string, patch: Patch, where: string): string {
	let out = source;
	for (const [from, to] of patch.edits) {
		if (!out.includes(from)) throw new Error(`${where}: expected "${from}" (Ink changed: review source/build/ink-caches.ts)`);
		out = out.replace(from, to);
	}
	return out;
}

export const boundInkCaches: Plugin = {
	name: 'bound-ink-caches',
	setup(bundle) {
		for (const patch of inkPatches) {
			bundle.onLoad({filter: patch.file}, async (args) => ({contents: patchSource(await readFile(args.path, 'utf8'), patch, args.path), loader: 'js'}));
		}
	},
};
