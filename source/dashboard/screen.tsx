// The live dashboard on a terminal. It hosts the producer and the actors
// (runtime/runtime.ts), feeds the store from them, from one PSUBSCRIBE
// connection and from a once-a-second pipelined refresh, and draws the store
// with Ink.
//
// Start-up order: only Ink, React and the screen's own modules load before the
// first frame; the layout shows at once with Redis "connecting…". Then the
// heavy half (runtime/backend.ts: ioredis, express and the producer, the
// deferred actors) is imported and started while the screen is already up.
import {render} from 'ink';
import React from 'react';
import type {Flags} from '../cli/flags.js';
import {describeError} from '../errors.js';
import type {RedisSession} from '../redis/session.js';
import {RedisClock} from '../redis/clock.js';
import type {StatsRecorder} from './bench-stats.js';
import App from './components/App.js';
import {DashboardContext} from './components/DashboardContext.js';
import type {DashboardOptions} from './options.js';
import {loadBackend} from './runtime/backend.js';
import type {DashboardRuntime} from './runtime/runtime.js';
import {DashboardStore} from './store/store.js';
import {runtimeControls, showStarted, storeWiring} from './wiring.js';

/** Synchronized output around "erase the skeleton" and Ink's first frame: the terminal shows both at once. */
const beginSync = '\u001B[?2026h';
const endSync = '\u001B[?2026l';

/** Draws the dashboard until q or a signal; the actors start once the first frame is out. */
export async function runScreen(flags: Flags, options: DashboardOptions, stats: StatsRecorder): Promise<number> {
	const clock = new RedisClock();
	const store = new DashboardStore({frameMs: Math.ceil(1000 / options.maxFps), now: () => clock.now()});
	if (options.mesh) store.setMesh({...store.getState().mesh, enabled: true});
	stats.attach(store);

	let quitting = false;
	let resolveQuit: () => void = () => {};
	const quitRequested = new Promise<void>((resolve) => {
		resolveQuit = resolve;
	});
	const quit = () => {
		if (quitting) return;
		quitting = true;
		store.notice('stopping: handing unfinished events back to the queue…');
		resolveQuit();
	};
	const signals = () => quit();
	process.on('SIGINT', signals);
	process.on('SIGTERM', signals);

	let runtime: DashboardRuntime | undefined;
	const controls = runtimeControls(() => runtime, quit);

	// Ink's first frame goes out before Redis is even asked (or its client
	// loaded), over the skeleton the command drew (cleared in the same
	// synchronized update, so nothing flickers).
	process.stdout.write(`${beginSync}\u001B[H\u001B[J`);
	stats.live();
	const ink = render(
		<DashboardContext.Provider value={{store, controls, colorOn: options.colorOn}}>
			<App />
		</DashboardContext.Provider>,
		// Not incrementalRendering: in Ink 6.8 it rewrites only the changed lines
		// but lands them one row low when the frame ends in a newline (ours is one
		// row short of the terminal), so the screen drifts and keeps stale rows.
		{maxFps: options.maxFps, exitOnCtrlC: false, patchConsole: true},
	);
	// Ink wrote its first frame inside render(); close the update even where Ink does not synchronize (is-in-ci).
	process.stdout.write(endSync);

	const stops: (() => unknown)[] = [];
	let session: RedisSession | undefined;
	let failure: unknown;
	try {
		// Let the first frame reach the terminal before the heavy imports block the loop.
		await new Promise((resolve) => setImmediate(resolve));
		const backend = await loadBackend();
		store.status({redisUrl: backend.displayUrl(backend.resolveRedisUrl(flags.redisUrl).url)});
		session = await backend.openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => store.appendLog('eda', [line])});
		store.status({redisUrl: session.display});
		if (session.seeds) stops.push(backend.watchCluster(session, store));
		const refresher = await backend.startRefresher(session, store, clock, () => runtime && store.setActors(runtime.actors()));
		stops.push(() => refresher.stop());
		const live = await backend.watchTopics(session, store);
		stops.push(() => live.stop());
		const catalog = await backend.startCatalogFeed(session, store);
		stops.push(() => catalog.stop());
		// The Events view's reads and actions, on a connection of their own.
		const browser = new backend.EventBrowser(session.connect('eda:dashboard:browser'), store);
		controls.browser = browser;
		stops.push(() => browser.stop());
		if (options.mesh) {
			const mesh = await backend.startMeshFeed(session, store, options.mesh.topology);
			stops.push(() => mesh.stop());
		}
		runtime = new backend.DashboardRuntime({
			...options,
			session,
			onQuit: quit,
			...storeWiring(store, () => runtime),
		});
		if (!quitting) {
			await runtime.start();
			showStarted(store, runtime);
		}
	} catch (error) {
		failure = error;
		quit();
	}

	await quitRequested;
	try {
		await runtime?.stop();
	} catch (error) {
		store.appendLog('eda', [`stopping: ${describeError(error)}`]);
	}
	for (const stop of stops) stop();
	store.flush();
	ink.unmount();
	await ink.waitUntilExit().catch(() => undefined);
	store.dispose();
	process.off('SIGINT', signals);
	process.off('SIGTERM', signals);
	await session?.close();
	stats.write();
	if (failure) throw failure;
	return 0;
}
