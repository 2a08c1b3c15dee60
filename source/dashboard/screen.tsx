// `eda` with no subcommand: the live dashboard. It hosts the producer and the
// actors (runtime.ts), feeds the store from them, from one PSUBSCRIBE
// connection and from a once-a-second pipelined refresh, and draws the store
// with Ink. Without a terminal (or --plain, or CI) it prints the log lines.
import {render} from 'ink';
import React from 'react';
import {consoleOutput, type ActorOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {untilSignal} from '../cli/shutdown.js';
import {describeError} from '../cli/user-error.js';
import {benchStats} from '../dashboard/bench-stats.js';
import type {Controls} from '../dashboard/controls.js';
import App from '../dashboard/components/App.js';
import {DashboardContext} from '../dashboard/components/DashboardContext.js';
import {watchTopics} from '../dashboard/feed/live-topics.js';
import {startRefresher} from '../dashboard/feed/refresher.js';
import {dashboardOptions, type DashboardOptions} from '../dashboard/options.js';
import {DashboardRuntime} from '../dashboard/runtime/runtime.js';
import {DashboardStore} from '../dashboard/store/store.js';
import {RedisClock} from '../redis/clock.js';
import {displayUrl} from '../redis/connect.js';
import {openRedisSession, resolveRedisUrl} from '../redis/session.js';

export async function run(flags: Flags): Promise<number> {
	const options = dashboardOptions(flags);
	return options.plain ? runPlain(flags, options) : runScreen(flags, options);
}

/** Headless: the same actors, their lines printed (sanitized) to stdout. */
async function runPlain(flags: Flags, options: DashboardOptions): Promise<number> {
	const session = await openRedisSession({url: flags.redisUrl, say: (line) => process.stderr.write(`${line}\n`)});
	const runtime = new DashboardRuntime({...options, session, output: consoleOutput(flags.json), onQuit: () => {}});
	const stopped = untilSignal(() => runtime.stop());
	try {
		await runtime.start();
	} catch (error) {
		await runtime.stop();
		await session.close();
		throw error;
	}
	process.stderr.write(`eda: no terminal to draw on, printing the actors' lines instead (producer at ${runtime.producer?.url}); Ctrl-C stops.\n`);
	await stopped;
	await session.close();
	return 0;
}

const altScreenOn = '\u001B[?1049h';
const altScreenOff = '\u001B[?1049l';

async function runScreen(flags: Flags, options: DashboardOptions): Promise<number> {
	const stats = benchStats(process.env['EDA_BENCH_STATS'], process.stdout);
	const clock = new RedisClock();
	const store = new DashboardStore({frameMs: Math.ceil(1000 / options.maxFps), redisUrl: displayUrl(resolveRedisUrl(flags.redisUrl).url), now: () => clock.now()});
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
	const started = (): DashboardRuntime => {
		if (!runtime?.producer) throw new Error('still starting; try again in a moment');
		return runtime;
	};
	// The screen's controls, delegating to the actors once they run.
	const controls: Controls = {
		publish: async (request) => started().publish(request),
		addWorker: async () => started().addWorker(),
		removeWorker: async () => started().removeWorker(),
		togglePause: async (name) => started().togglePause(name),
		toggleSubscription: async (topic) => started().toggleSubscription(topic),
		quit,
	};

	// The first frame goes out before Redis is even asked: the screen appears at once.
	process.stdout.write(altScreenOn);
	const ink = render(
		<DashboardContext.Provider value={{store, controls, colorOn: options.colorOn}}>
			<App />
		</DashboardContext.Provider>,
		{maxFps: options.maxFps, exitOnCtrlC: false, patchConsole: true},
	);

	const output: ActorOutput = {
		emit(actor, lines) {
			if (lines.length > 0) store.appendLog(runtime?.labels.get(actor) ?? actor.split(':')[0] ?? actor, lines);
		},
	};
	const stops: (() => unknown)[] = [];
	let session: Awaited<ReturnType<typeof openRedisSession>> | undefined;
	let failure: unknown;
	try {
		session = await openRedisSession({url: flags.redisUrl, say: (line) => store.appendLog('eda', [line])});
		store.status({redisUrl: session.display});
		const refresher = await startRefresher(session, store, clock, () => runtime && store.setActors(runtime.actors()));
		stops.push(() => refresher.stop());
		const live = await watchTopics(session, store);
		stops.push(() => live.stop());
		runtime = new DashboardRuntime({
			...options,
			session,
			output,
			onQuit: quit,
			onChange: () => runtime && store.setActors(runtime.actors()),
		});
		if (!quitting) {
			await runtime.start();
			store.status({producerUrl: runtime.producer?.url});
			store.setActors(runtime.actors());
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
	process.stdout.write(altScreenOff);
	process.off('SIGINT', signals);
	process.off('SIGTERM', signals);
	await session?.close();
	stats.write();
	if (failure) throw failure;
	return 0;
}
