// source/ is layered one way (../DESIGN.md's map, README "Development"): a
// folder imports only folders on lower floors, never one above it or beside it
// (what two folders on one floor both need goes one floor down). Type-only and
// dynamic imports count too: a layer that names a higher one's types still
// depends on it. Import cycles inside a folder are knip's (npm run lint).
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';
import ts from 'typescript';

/** Lowest first. A new folder under source/ gets its floor here before it can land. */
const floors: string[][] = [
	['text', 'net'],
	['errors.ts'],
	['cli'],
	['redis'],
	['topics'],
	['actors'],
	// The portal validates what the producer, the labs, replay and the mesh publish: below them all, above topics/.
	['portal'],
	// Browsing events reads topics and republishes through the portal's publish path.
	['deferred', 'mesh', 'browser'],
	['producer'],
	['labs'],
	['dashboard'],
	['commands'],
	['cli.tsx', 'build'],
];

const floorOf = new Map(floors.flatMap((names, floor) => names.map((name) => [name, floor] as const)));

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The layer a file belongs to: its folder under source/ (or the file itself at source/'s top), or cli.tsx. */
function layerOf(file: string): string {
	const parts = path.relative(root, file).split(path.sep);
	if (parts[0] !== 'source') return parts.join('/');
	return parts[1] ?? '';
}

/** Relative imports of one file's text, resolved to absolute paths: static, type-only, re-exports and import(). */
function importsOf(file: string, text: string): string[] {
	const {importedFiles} = ts.preProcessFile(text, true, true);
	return importedFiles
		.map((imported) => imported.fileName)
		.filter((specifier) => specifier.startsWith('.'))
		.map((specifier) => path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
}

/** Every import that does not point down a floor, worded for the failure message. */
function layerViolations(files: Map<string, string>): string[] {
	const problems: string[] = [];
	for (const [file, text] of files) {
		const from = layerOf(file);
		const fromFloor = floorOf.get(from);
		if (fromFloor === undefined) {
			problems.push(`${path.relative(root, file)}: ${from} has no floor; add it to floors in test/import-layers.test.ts`);
			continue;
		}
		for (const target of importsOf(file, text)) {
			const to = layerOf(target);
			if (to === from) continue;
			const toFloor = floorOf.get(to);
			if (toFloor === undefined || toFloor >= fromFloor) {
				const where = toFloor === undefined ? 'no floor' : toFloor === fromFloor ? 'the same floor' : 'a higher floor';
				problems.push(`${path.relative(root, file)} imports ${path.relative(root, target)}: ${from} may not import ${to} (${where})`);
			}
		}
	}
	return problems;
}

function sourceFiles(): Map<string, string> {
	const files = new Map<string, string>();
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, {withFileTypes: true})) {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (/\.tsx?$/.test(entry.name)) files.set(full, readFileSync(full, 'utf8'));
		}
	};
	walk(path.join(root, 'source'));
	const cli = path.join(root, 'cli.tsx');
	files.set(cli, readFileSync(cli, 'utf8'));
	return files;
}

describe('source/ layers', () => {
	it('every import points down a floor', () => {
		const files = sourceFiles();
		assert.ok(files.size > 100, `read the tree (${files.size} files)`);
		assert.deepEqual(layerViolations(files), []);
	});

	it('the check catches an import up, one beside, and a folder with no floor', () => {
		const at = (name: string) => path.join(root, 'source', name);
		const planted = new Map([
			[at('redis/keys.ts'), "import type {Ui} from '../dashboard/store/types.js';\nimport {x} from './script.js';"],
			[at('producer/app.ts'), "const labs = await import('../labs/lab.js');"],
			[at('text/sanitize.ts'), "export {isLoopbackHost} from '../net/loopback.js';"],
			[at('topics/names.ts'), "import {keys} from '../redis/keys.js';"],
			[at('newthing/a.ts'), "import {keys} from '../redis/keys.js';"],
		]);
		assert.deepEqual(layerViolations(planted), [
			'source/redis/keys.ts imports source/dashboard/store/types.ts: redis may not import dashboard (a higher floor)',
			'source/producer/app.ts imports source/labs/lab.ts: producer may not import labs (a higher floor)',
			'source/text/sanitize.ts imports source/net/loopback.ts: text may not import net (the same floor)',
			'source/newthing/a.ts: newthing has no floor; add it to floors in test/import-layers.test.ts',
		]);
	});
});
