// The build's patch of Ink's unbounded text caches (source/build/ink-caches.ts):
// it applies to the Ink installed here, and an Ink whose files changed stops
// the build instead of shipping unbounded again.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {test} from 'node:test';
import {inkCacheLimit, inkPatches, patchSource} from '../source/build/ink-caches.js';

const inkBuild = path.dirname(createRequire(import.meta.url).resolve('ink'));

test('both of Ink\'s text caches get a bound in the installed Ink', () => {
	for (const name of ['measure-text.js', 'wrap-text.js']) {
		const file = path.join(inkBuild, name);
		const patch = inkPatches.find((p) => p.file.test(file));
		assert.ok(patch, `a patch for ${name}`);
		const source = readFileSync(file, 'utf8');
		const patched = patchSource(source, patch, file);
		assert.notEqual(patched, source);
		assert.ok(patched.includes(`${inkCacheLimit}`), `${name} is bounded at ${inkCacheLimit}`);
	}
});

test('a file that no longer reads as expected stops the build with its name', () => {
	const patch = inkPatches[0];
	assert.ok(patch);
	assert.throws(() => patchSource('const cache = new LRU();', patch, 'ink/build/measure-text.js'), /ink\/build\/measure-text\.js: expected "cache\.set\(text, dimensions\);"/);
});
