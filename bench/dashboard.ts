// The dashboard under a flood: 5,000 events/s for 60 s (--seconds to shorten)
// through the embedded producer's batch route, with a live consumer on the
// flooded topic printing two lines per event into the log. The dashboard runs
// in a real pty (node-pty + @xterm/headless) and measures itself
// (EDA_BENCH_STATS): event-loop delay, frames written per second, RSS, first
// frame time; the totals are checked against what was sent.
//   npx tsx bench/dashboard.ts [--seconds 10] [--rate 5000]
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import type {BenchStats} from '../source/dashboard/bench-stats.js';
import {freePort, startPrivateRedis} from '../source/redis/private-server.js';
import {spawnTerminal} from '../test/helpers/terminal.js';
import {ensureDist} from './lib/build.js';
import {normalize} from './lib/report.js';

type Options = {
	quick?: boolean;
	seconds?: number;
	rate?: number;
	maxFps?: number;
	batch?: number;
	/** Write a CPU profile of the dashboard process into bench/results/profiles/. */
	profile?: boolean;
	/** Run cli.tsx under tsx instead of the built dist/cli.js. */
	tsx?: boolean;
	log?: (line: string) => void;
};

const here = path.dirname(fileURLToPath(import.meta.url));

export default async function run(options: Options = {}) {
	const seconds = options.seconds ?? (options.quick ? 10 : 60);
	const rate = options.rate ?? 5000;
	const maxFps = options.maxFps ?? 15;
	/** Events per POST to the batch route: 100 a request, 50 requests a second at 5,000/s. */
	const batchSize = options.batch ?? 100;
	const log = options.log ?? ((line: string) => process.stderr.write(`[dashboard] ${line}\n`));
	const built = !options.tsx;
	if (built) {
		const build = ensureDist(log);
		if (!build.fresh) throw new Error(`dist/ could not be brought up to date: ${build.errors.slice(0, 3).join('; ')}`);
	}
	const profileDir = options.profile ? path.join(here, 'results', 'profiles', `dashboard-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
	if (profileDir) mkdirSync(profileDir, {recursive: true});
	const redis = await startPrivateRedis();
	const port = await freePort();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eda-bench-dashboard-'));
	const statsFile = path.join(dir, 'stats.json');
	const launched = performance.now();
	const term = spawnTerminal(['--redis-url', redis.url, '--port', String(port), '--topic', 'flood', '--max-fps', String(maxFps)], {
		columns: 80,
		rows: 24,
		env: {EDA_BENCH_STATS: statsFile},
		tsx: !built,
		nodeArgs: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
	});
	try {
		await term.waitForScreen((s) => s.includes('1 Topics'), 'the first frame', 30_000);
		const firstScreenMs = performance.now() - launched;
		await term.waitForScreen((s) => s.includes(`producer http://127.0.0.1:${port}`) && s.includes('sub flood'), 'the producer and the consumer', 30_000);
		const readyMs = performance.now() - launched;

		log(`flooding ${rate} events/s for ${seconds} s`);
		process.kill(term.pid, 'SIGUSR2');
		const url = `http://127.0.0.1:${port}/topics/flood/batch`;
		const started = performance.now();
		const bytesAtStart = term.bytes();
		let sent = 0;
		let accepted = 0;
		let failed = 0;
		const inFlight = new Set<Promise<void>>();
		while (performance.now() - started < seconds * 1000) {
			const due = Math.floor(((performance.now() - started) / 1000) * rate);
			const n = Math.min(batchSize, due - sent);
			if (n > 0 && inFlight.size < 8) {
				const body = JSON.stringify(Array.from({length: n}, (_, i) => ({seq: sent + i, at: Date.now()})));
				sent += n;
				const request = fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body})
					.then(async (response) => {
						await response.arrayBuffer();
						if (response.ok) accepted += n;
						else failed += n;
					})
					.catch(() => {
						failed += n;
					})
					.finally(() => inFlight.delete(request));
				inFlight.add(request);
			} else {
				await new Promise((resolve) => setTimeout(resolve, 5));
			}
		}
		await Promise.all(inFlight);
		const floodSeconds = (performance.now() - started) / 1000;
		const bytesPerSecond = (term.bytes() - bytesAtStart) / floodSeconds;
		log(`sent ${sent}, accepted ${accepted}, failed ${failed} in ${floodSeconds.toFixed(1)} s`);

		// The screen's total (abbreviated past 10,000) once the refresh caught up.
		const shown = (count: number) => (count < 10_000 ? String(count) : count < 1_000_000 ? `${(count / 1000).toFixed(count < 100_000 ? 1 : 0)}k` : `${(count / 1_000_000).toFixed(2)}M`);
		const screenTotal = await term
			.waitForScreen((s) => new RegExp(`flood\\s+${shown(accepted).replace('.', '\\.')}\\s`).test(s), 'the right total on screen', 15_000)
			.then(() => true)
			.catch(() => false);
		// The stored totals come from the once-a-second refresh; give it two rounds
		// to read the last events before the figures are taken (the screen shows
		// 300k for anything from 299.5k, so it cannot say).
		await new Promise((resolve) => setTimeout(resolve, 2500));
		// Every row where it belongs: the panes' top borders on row 1, the hints on the last drawn row, the terminal's last row empty.
		// (Waited for: the emulator may be read half-way through a frame.)
		const intact = (screen: string) => {
			const rows = screen.split('\n');
			return /^[╔┌]/.test(rows[0] ?? '') && (rows[22] ?? '').startsWith('? help') && (rows[23] ?? '') === '';
		};
		const screenIntact = await term
			.waitForScreen(intact, 'the screen intact', 5000)
			.then(() => true)
			.catch(() => false);
		const finalScreen = term.screen();
		term.write('q');
		const exitCode = await term.exited;
		const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as BenchStats;
		const flood = stats.topics.find((topic) => topic.name === 'flood');
		// Whole seconds of the flood only: the first second holds start-up, the last the exit.
		const fps = stats.framesPerSecond.slice(1, -1);
		const maxFrames = Math.max(0, ...fps);
		const meanFrames = fps.length > 0 ? fps.reduce((a, b) => a + b, 0) / fps.length : 0;
		const rssThirds = thirds(stats.rssMbPerSecond);
		const result = {
			name: 'dashboard',
			tables: [
				{
					title: `Dashboard under ${rate} events/s for ${seconds} s (80×24 pty, --max-fps ${maxFps}, a live consumer on the topic)`,
					columns: ['figure', 'value'],
					rows: [
						['events accepted / sent', `${accepted} / ${sent}`],
						['event-loop delay p50 / p99 / max (ms)', `${stats.eventLoopDelayMs.p50} / ${stats.eventLoopDelayMs.p99} / ${stats.eventLoopDelayMs.max}`],
						['frames/s written: max / mean', `${maxFrames} / ${meanFrames.toFixed(1)}`],
						['terminal output during the flood (KB/s)', (bytesPerSecond / 1024).toFixed(1)],
						['RSS at first frame / flood start / mid-flood / end / peak (MB)', `${stats.rssMb.atFirstFrame} / ${stats.rssMb.floodStart} / ${stats.rssMb.mid} / ${stats.rssMb.end} / ${stats.rssMb.peak}`],
						['RSS over the flood, middle third / last third: peak, mean (MB)', `${rssThirds.middle.peak} / ${rssThirds.last.peak}, ${rssThirds.middle.mean} / ${rssThirds.last.mean}`],
						['first frame (layout, connecting…): in-process / seen in the pty (ms)', `${stats.firstFrameMs} / ${Math.round(firstScreenMs)}`],
						['first Ink frame / producer and consumer shown (ms)', `${stats.firstLiveFrameMs} / ${Math.round(readyMs)}`],
						['total in the store: stored / seen live', `${flood?.stored} / ${flood?.seen}`],
						['total on screen matches', screenTotal ? 'yes' : 'no'],
						['screen intact at the end (rows in place, last row empty)', screenIntact ? 'yes' : 'no'],
						['log lines received / kept', `${stats.logLinesTotal} / ${stats.logLinesKept}`],
						['exit code after q', exitCode],
					],
				},
			],
			goals: [
				{name: 'event-loop delay p99', target: '< 50 ms', value: `${stats.eventLoopDelayMs.p99} ms`, met: stats.eventLoopDelayMs.p99 < 50},
				{name: 'frames per second', target: `<= ${maxFps}`, value: String(maxFrames), met: maxFrames <= maxFps},
				// The heap grows to its working size in the first seconds of the flood, then saws up and down
				// with each collection (±20 MB here). Single samples land anywhere on that saw, so flat is
				// judged on its top: the peak of the last third of the flood against the middle third's.
				{name: 'RSS flat', target: 'last-third peak <= middle-third peak + 10%', value: `${rssThirds.middle.peak} → ${rssThirds.last.peak} MB (means ${rssThirds.middle.mean} → ${rssThirds.last.mean})`, met: rssThirds.last.peak <= rssThirds.middle.peak * 1.1},
				// Every event sent was accepted, and the dashboard counted each: an empty flood would agree with itself.
				{
					name: 'totals right',
					target: `${sent} sent, all accepted, stored and seen`,
					value: `accepted ${accepted} (${failed} refused), stored ${flood?.stored}, seen ${flood?.seen}, screen ${screenTotal ? 'yes' : 'no'}`,
					met: sent > 0 && accepted === sent && flood?.stored === accepted && flood?.seen === accepted && screenTotal,
				},
				{name: 'screen intact', target: 'rows in place', value: screenIntact ? 'yes' : 'no', met: screenIntact},
				{name: 'first frame', target: '< 1000 ms', value: `${stats.firstFrameMs} ms`, met: (stats.firstFrameMs ?? Infinity) < 1000},
				{name: 'exit on q', target: 'code 0', value: `code ${exitCode}`, met: exitCode === 0},
			],
			notes: [
				`runs ${built ? 'the built dist/cli.js with plain node' : 'cli.tsx under tsx'}`,
				'first frame in-process: from process start (performance.now) to the first frame written (the layout skeleton, drawn before Ink loads); seen in the pty: from spawn to the first screen with the panes; first Ink frame: Ink\'s own first frame, which replaces it',
				`the flood posts ${batchSize} events a request to the batch route, as a real client batching would`,
				...(profileDir ? [`CPU profile in ${path.relative(path.join(here, '..'), profileDir)}`] : []),
			],
			data: {seconds, rate, maxFps, batchSize, built, bytesPerSecond, sent, accepted, failed, floodSeconds, firstScreenMs, stats, finalScreen},
		};
		const resultsDir = path.join(here, 'results');
		mkdirSync(resultsDir, {recursive: true});
		writeFileSync(path.join(resultsDir, 'dashboard.json'), `${JSON.stringify(result, null, '\t')}\n`);
		return result;
	} finally {
		term.kill();
		await redis.stop();
		rmSync(dir, {recursive: true, force: true});
	}
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const startedAt = new Date();
	const {values} = parseArgs({
		options: {seconds: {type: 'string'}, rate: {type: 'string'}, 'max-fps': {type: 'string'}, batch: {type: 'string'}, quick: {type: 'boolean'}, profile: {type: 'boolean'}, tsx: {type: 'boolean'}},
	});
	const result = await run({
		quick: values.quick,
		seconds: values.seconds ? Number(values.seconds) : undefined,
		rate: values.rate ? Number(values.rate) : undefined,
		maxFps: values['max-fps'] ? Number(values['max-fps']) : undefined,
		batch: values.batch ? Number(values.batch) : undefined,
		profile: values.profile,
		tsx: values.tsx,
	});
	for (const table of result.tables) {
		process.stdout.write(`${table.title}\n`);
		for (const [figure, value] of table.rows) process.stdout.write(`  ${String(figure).padEnd(70)} ${String(value)}\n`);
	}
	for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
	for (const goal of result.goals) process.stdout.write(`  goal ${goal.name}: ${goal.value} (target ${goal.target}) ${goal.met ? 'met' : 'NOT MET'}\n`);
	process.exit(normalize('dashboard', result, startedAt, new Date()).ok ? 0 : 1);
}

/** Peak and mean of the middle and last thirds of a per-second series. */
function thirds(series: number[]): {middle: {peak: number; mean: number}; last: {peak: number; mean: number}} {
	const third = Math.max(1, Math.floor(series.length / 3));
	const figures = (part: number[]) => ({
		peak: part.length > 0 ? Math.max(...part) : 0,
		mean: part.length > 0 ? Math.round((part.reduce((sum, v) => sum + v, 0) / part.length) * 10) / 10 : 0,
	});
	return {middle: figures(series.slice(third, 2 * third)), last: figures(series.slice(2 * third))};
}
