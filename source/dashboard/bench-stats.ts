// EDA_BENCH_STATS=<file>: the dashboard measures itself and writes the figures
// at exit (event-loop delay, frames written per second, RSS, first frame
// time, final totals), so the benchmark reads them from inside the process.
import {writeFileSync} from 'node:fs';
import {monitorEventLoopDelay, performance} from 'node:perf_hooks';
import type {DashboardStore} from './store/store.js';

export type BenchStats = {
	/** ms from process start to the first frame written. */
	firstFrameMs: number | undefined;
	frames: number;
	/** Frames written in each whole second since the first frame. */
	framesPerSecond: number[];
	eventLoopDelayMs: {p50: number; p99: number; max: number; mean: number};
	rssMb: {atFirstFrame: number; end: number; peak: number};
	storeNotifications: number;
	topics: {name: string; stored: number | undefined; seen: number}[];
	logLinesTotal: number;
	logLinesKept: number;
};

const bsu = '\u001B[?2026h';
const esu = '\u001B[?2026l';

export function benchStats(file: string | undefined, stdout: NodeJS.WriteStream): {attach(store: DashboardStore): void; write(): void} {
	if (!file) return {attach() {}, write() {}};
	const delay = monitorEventLoopDelay({resolution: 10});
	delay.enable();
	// SIGUSR2 marks the start of the measured load: start-up (module loading,
	// the private Redis) is not what the flood figure is about.
	process.on('SIGUSR2', () => delay.reset());
	let firstFrameMs: number | undefined;
	let firstSecond = 0;
	let rssAtFirst = 0;
	let peak = 0;
	let frames = 0;
	const perSecond: number[] = [];
	let store: DashboardStore | undefined;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage.rss());
	}, 500);
	sampler.unref();
	const write = stdout.write.bind(stdout);
	// A frame is one write of screen content; the synchronized-output brackets
	// and bare cursor moves Ink writes around it are not frames.
	stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
		const text = typeof chunk === 'string' ? chunk : '';
		if (text.length > 16 && text !== bsu && text !== esu) {
			const now = performance.now();
			if (firstFrameMs === undefined) {
				firstFrameMs = now;
				firstSecond = Math.floor(now / 1000);
				rssAtFirst = process.memoryUsage.rss();
			}
			frames++;
			const second = Math.floor(now / 1000) - firstSecond;
			while (perSecond.length <= second) perSecond.push(0);
			perSecond[second] = (perSecond[second] ?? 0) + 1;
		}
		return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
	}) as typeof stdout.write;
	const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
	return {
		attach(s) {
			store = s;
		},
		write() {
			delay.disable();
			clearInterval(sampler);
			const state = store?.getState();
			const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
			const stats: BenchStats = {
				firstFrameMs: firstFrameMs === undefined ? undefined : Math.round(firstFrameMs),
				frames,
				framesPerSecond: perSecond,
				eventLoopDelayMs: {p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean)},
				rssMb: {atFirstFrame: mb(rssAtFirst), end: mb(process.memoryUsage.rss()), peak: mb(Math.max(peak, process.memoryUsage.rss()))},
				storeNotifications: store?.notifications ?? 0,
				topics: (state?.topics ?? []).map((topic) => ({name: topic.name, stored: topic.stored, seen: topic.seen})),
				logLinesTotal: store?.log.total ?? 0,
				logLinesKept: store?.log.length ?? 0,
			};
			writeFileSync(file, `${JSON.stringify(stats, null, '\t')}\n`);
		},
	};
}
