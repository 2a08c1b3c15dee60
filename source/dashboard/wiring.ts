// How the screen and the runtime meet: the runtime's lines go to the Log, its
// actors and its lab's state to the store, and the screen's controls reach the
// runtime once it runs. screen.tsx uses these; so does the Labs test, which
// drives the same wiring with ink-testing-library instead of a terminal.
import type {ActorOutput} from '../actors/output.js';
import type {Controls} from './controls.js';
import {labOrder} from './lab-names.js';
import type {DashboardRuntime, RuntimeOptions} from './runtime/runtime.js';
import type {DashboardStore} from './store/store.js';

/** The Log's name for an actor: "lab:orders:payments" → "orders" (the lab), "worker:host:pid:…" → "worker". */
export function logLabel(actor: string): string {
	const [kind, name] = actor.split(':');
	return kind === 'lab' && (labOrder as readonly string[]).includes(name ?? '') ? (name ?? actor) : (kind ?? actor);
}

/** The runtime options that feed the store; `current` is the runtime once it exists. */
export function storeWiring(store: DashboardStore, current: () => DashboardRuntime | undefined): Pick<RuntimeOptions, 'output' | 'onChange' | 'onLab'> {
	const output: ActorOutput = {
		emit(actor, lines) {
			if (lines.length > 0) store.appendLog(current()?.labels.get(actor) ?? logLabel(actor), lines);
		},
	};
	return {
		output,
		onChange: () => {
			const runtime = current();
			if (runtime) store.setActors(runtime.actors());
		},
		onLab: (state) => store.setLab(state),
	};
}

/** What the status bar and the Queues pane show once the runtime has started. */
export function showStarted(store: DashboardStore, runtime: DashboardRuntime): void {
	store.status({producerUrl: runtime.producer?.url, insecure: runtime.producer?.warning !== undefined, tokenRequired: runtime.producer?.token !== undefined});
	store.setActors(runtime.actors());
}

/** The screen's controls, delegating to the runtime once it has started. */
export function runtimeControls(current: () => DashboardRuntime | undefined, quit: () => void): Controls {
	const started = (): DashboardRuntime => {
		const runtime = current();
		if (!runtime?.producer) throw new Error('still starting; try again in a moment');
		return runtime;
	};
	return {
		publish: async (request) => started().publish(request),
		addWorker: async () => started().addWorker(),
		removeWorker: async () => started().removeWorker(),
		togglePause: async (name) => started().togglePause(name),
		toggleSubscription: async (topic) => started().toggleSubscription(topic),
		quit,
		labs: {
			start: async (name) => started().labs.start(name),
			stop: async () => current()?.labs.stop(),
			action: async (key) => started().labs.action(key),
		},
	};
}
