// EDA_BENCH_STATS=<file>: the dashboard measures itself and writes the figures
// at exit (event-loop delay, frames written per second, RSS, first frame
// time, final totals), so the benchmark reads them from inside the process.
import {writeFileSync} from 'node:fs';
import {monitorEventLoopDelay, performance} from 'node:perf_hooks';
import type {DashboardStore} from './store/store.js';

export type BenchStats = {
	/** ms from process start to the first frame written (the skeleton, before Ink loads). */
	firstFrameMs: number | undefined;
	/** ms from process start to Ink's first frame. */
	firstLiveFrameMs: number | undefined;
	frames: number;
	/** Frames written in each whole second since the first frame. */
	framesPerSecond: number[];
	eventLoopDelayMs: {p50: number; p99: number; max: number; mean: number};
	/** RSS at the first frame, when the flood started (SIGUSR2), half-way from there to the end, at the end, and the peak. */
	rssMb: {atFirstFrame: number; floodStart: number; mid: number; end: number; peak: number};
	/** RSS once a second from the flood's start, MB. */
	rssMbPerSecond: number[];
	storeNotifications: number;
	topics: {name: string; stored: number | undefined; seen: number}[];
	logLinesTotal: number;
	logLinesKept: number;
};

const bsu = '\u001B[?2026h';
const esu = '\u001B[?2026l';

export type StatsRecorder = {
	attach(store: DashboardStore): void;
	/** The next frame is Ink's first. */
	live(): void;
	write(): void;
};

export function benchStats(file: string | undefined, stdout: NodeJS.WriteStream): StatsRecorder {
	if (!file) return {attach() {}, live() {}, write() {}};
	const delay = monitorEventLoopDelay({resolution: 10});
	delay.enable();
	// SIGUSR2 marks the start of the measured load: start-up (module loading,
	// the private Redis) is not what the flood figure is about.
	let floodStart = 0;
	const rssPerSecond: number[] = [];
	process.on('SIGUSR2', () => {
		delay.reset();
		floodStart = performance.now();
		rssPerSecond.length = 0;
	});
	let firstFrameMs: number | undefined;
	let firstLiveFrameMs: number | undefined;
	let awaitingLive = false;
	let firstSecond = 0;
	let rssAtFirst = 0;
	let peak = 0;
	let frames = 0;
	const perSecond: number[] = [];
	let store: DashboardStore | undefined;
	let lastSecond = -1;
	const sampler = setInterval(() => {
		const rss = process.memoryUsage.rss();
		peak = Math.max(peak, rss);
		const second = Math.floor((performance.now() - floodStart) / 1000);
		if (second !== lastSecond) {
			lastSecond = second;
			rssPerSecond.push(rss);
		}
	}, 250);
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
			if (awaitingLive) {
				awaitingLive = false;
				firstLiveFrameMs = now;
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
		live() {
			awaitingLive = true;
		},
		write() {
			delay.disable();
			clearInterval(sampler);
			const state = store?.getState();
			const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
			const stats: BenchStats = {
				firstFrameMs: firstFrameMs === undefined ? undefined : Math.round(firstFrameMs),
				firstLiveFrameMs: firstLiveFrameMs === undefined ? undefined : Math.round(firstLiveFrameMs),
				frames,
				framesPerSecond: perSecond,
				eventLoopDelayMs: {p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean)},
				rssMb: {
					atFirstFrame: mb(rssAtFirst),
					floodStart: mb(rssPerSecond[0] ?? 0),
					mid: mb(rssPerSecond[Math.floor(rssPerSecond.length / 2)] ?? 0),
					end: mb(process.memoryUsage.rss()),
					peak: mb(Math.max(peak, process.memoryUsage.rss())),
				},
				rssMbPerSecond: rssPerSecond.map(mb),
				storeNotifications: store?.notifications ?? 0,
				topics: (state?.topics ?? []).map((topic) => ({name: topic.name, stored: topic.stored, seen: topic.seen})),
				logLinesTotal: store?.log.total ?? 0,
				logLinesKept: store?.log.length ?? 0,
			};
			writeFileSync(file, `${JSON.stringify(stats, null, '\t')}\n`);
		},
	};
}
