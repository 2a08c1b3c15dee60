// `npm run build`: one esbuild bundle of cli.tsx into dist/, split so the
// headless commands never load React or Ink.
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {boundInkCaches} from './ink-caches.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

await build({
	absWorkingDir: root,
	entryPoints: ['cli.tsx'],
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	outdir: 'dist',
	chunkNames: 'chunks/[name]-[hash]',
	external: ['react-devtools-core'],
	logLevel: 'warning',
	// Some bundled CommonJS dependencies call require(); ESM output has none of its own.
	banner: {js: "import{createRequire as __edaRequire}from'node:module';const require=__edaRequire(import.meta.url);"},
	plugins: [boundInkCaches],
});
