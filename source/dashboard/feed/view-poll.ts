// A feed that reads only while its view shows: a closed view costs Redis
// nothing, opening it reads at once instead of waiting for the next tick, and
// reads never overlap. The Catalog and Mesh views poll this way.
import type {DashboardStore} from '../store/store.js';
import type {View} from '../store/types.js';

/**
 * Calls `refresh` every `everyMs` while `view` shows (and once before it was
 * ever loaded, so the first frame has data), and at once when the view opens.
 * `stop()` ends the ticks; the caller closes its own connections.
 */
export async function pollWhileShown(store: DashboardStore, view: View, loaded: () => boolean, refresh: () => Promise<void>, everyMs: number): Promise<{stop(): void}> {
	let running = false;
	let stopped = false;
	const tick = async () => {
		if (running || stopped) return;
		if (store.getState().ui.view !== view && loaded()) return;
		running = true;
		try {
			await refresh();
		} finally {
			running = false;
		}
	};
	let lastView = store.getState().ui.view;
	const unsubscribe = store.subscribe(() => {
		const shown = store.getState().ui.view;
		if (shown === view && lastView !== view) void tick();
		lastView = shown;
	});
	await tick();
	const timer = setInterval(() => void tick(), everyMs);
	return {
		stop() {
			stopped = true;
			clearInterval(timer);
			unsubscribe();
		},
	};
}
