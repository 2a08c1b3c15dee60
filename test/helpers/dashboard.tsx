// Test helpers for the dashboard screen, after Shopify's CLI kit: drive
// ink-testing-library and wait for the frame that shows the change instead of
// reading lastFrame() at once (it is a turn stale) or sleeping a fixed time.
import {render} from 'ink-testing-library';
import React from 'react';
import App from '../../source/dashboard/components/App.js';
import {DashboardContext} from '../../source/dashboard/components/DashboardContext.js';
import type {Controls, PublishRequest} from '../../source/dashboard/controls.js';
import {tooSmall} from '../../source/dashboard/layout.js';
import {DashboardStore} from '../../source/dashboard/store/store.js';

export const keys = {
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	shiftTab: '\u001B[Z',
	up: '\u001B[A',
	down: '\u001B[B',
	left: '\u001B[D',
	right: '\u001B[C',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

export type Recorder = Controls & {calls: string[]; published: PublishRequest[]};

export function recordingControls(answer = {ok: true, message: 'published'}): Recorder {
	const calls: string[] = [];
	const published: PublishRequest[] = [];
	return {
		calls,
		published,
		async publish(request) {
			calls.push('publish');
			published.push(request);
			return answer;
		},
		async addWorker() {
			calls.push('addWorker');
		},
		async removeWorker() {
			calls.push('removeWorker');
		},
		async togglePause(name) {
			calls.push(`togglePause ${name}`);
		},
		async toggleSubscription(topic) {
			calls.push(`toggleSubscription ${topic}`);
		},
		quit() {
			calls.push('quit');
		},
	};
}

type Options = {store?: DashboardStore; controls?: Controls; colorOn?: boolean; columns?: number; rows?: number};

/**
 * Renders the app on a fake terminal of the given size (80×24 by default) and
 * resolves once a frame at that size is drawn.
 */
export async function renderDashboard(options: Options = {}) {
	const store = options.store ?? new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:6379', now: () => 1_000_000});
	const controls = options.controls ?? recordingControls();
	const instance = render(
		<DashboardContext.Provider value={{store, controls, colorOn: options.colorOn ?? false}}>
			<App />
		</DashboardContext.Provider>,
	);
	const {stdout, stdin} = instance;
	let columns = options.columns ?? 80;
	let rows = options.rows ?? 24;
	Object.defineProperty(stdout, 'columns', {get: () => columns, configurable: true});
	Object.defineProperty(stdout, 'rows', {get: () => rows, configurable: true});

	const frame = () => stripFrame(instance.lastFrame() ?? '');
	/** Resolves with the first frame (the current one included) that passes `check`. */
	const waitForFrame = async (check: (frame: string) => boolean, what = 'the expected frame', timeoutMs = 5000): Promise<string> => {
		if (check(frame())) return frame();
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				stdout.off('frame', onFrame);
				reject(new Error(`timed out waiting for ${what}; last frame:\n${frame()}`));
			}, timeoutMs);
			const onFrame = () => {
				if (!check(frame())) return;
				clearTimeout(timer);
				stdout.off('frame', onFrame);
				resolve(frame());
			};
			stdout.on('frame', onFrame);
		});
	};
	const write = stdout.write;
	stdout.write = (data: string) => {
		write(data);
		stdout.emit('frame');
	};
	// ink-testing-library's terminal is 100 columns wide: the first frame is
	// drawn at that size; wait for the one drawn after the resize.
	const atSize = (f: string) => {
		const lines = f.split('\n');
		if (tooSmall(columns, rows)) return f.includes('too small');
		return lines.length === rows - 1 && Math.max(...lines.map((line) => line.length)) === columns;
	};
	stdout.emit('resize');
	await waitForFrame(atSize, 'the first frame at the test size');
	return {
		...instance,
		store,
		controls,
		frame,
		waitForFrame,
		/**
		 * Types `data` and resolves with the frame that satisfies `check`, once the
		 * effects of that render have run: a component drawn by it (the publish
		 * form) subscribes to keys in an effect, after its frame is written, and a
		 * key typed before that would reach nobody.
		 */
		async press(data: string, check: (frame: string) => boolean, what?: string): Promise<string> {
			stdin.write(data);
			const matched = await waitForFrame(check, what);
			// React runs those effects from a setImmediate scheduled at the commit, ahead of this one.
			await new Promise((resolve) => setImmediate(resolve));
			return matched;
		},
		/** Types `data` and resolves after the app has handled it and drawn the next frame. */
		async pressAndSettle(data: string): Promise<string> {
			const before = instance.frames.length;
			stdin.write(data);
			await new Promise((resolve) => setImmediate(resolve));
			if (instance.frames.length === before) await waitForFrame(() => instance.frames.length > before, 'a new frame', 1000).catch(() => undefined);
			return frame();
		},
		/** Resizes the fake terminal; resolves with the next frame. */
		async resize(newColumns: number, newRows: number): Promise<string> {
			columns = newColumns;
			rows = newRows;
			stdout.emit('resize');
			return waitForFrame(atSize, `a frame at ${newColumns}×${newRows}`);
		},
	};
}

/** Frames without SGR styling, for text assertions. */
export function stripFrame(frame: string): string {
	return frame.replace(/\u001B\[[0-9;]*m/g, '');
}
