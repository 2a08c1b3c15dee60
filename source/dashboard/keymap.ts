// One table of keys drives both dispatch and the help overlay (as Wrangler's
// hotkeys do), so what `?` says can never drift from what the keys do.
import type {Key} from 'ink';
import type {Controls} from './controls.js';
import type {DashboardStore} from './store/store.js';
import {pausable} from './store/selectors.js';
import {paneIds, type PaneId} from './store/types.js';

export type KeyContext = {store: DashboardStore; controls: Controls};

export type Binding = {
	keys: string[];
	/** How help writes the keys. */
	show: string;
	label: string;
	/** Where the keys work: everywhere, or while that pane has focus. */
	scope: 'global' | PaneId;
	/** Short label for the status bar's hint line; absent: help only. */
	hint?: string;
	run(context: KeyContext, name: string): void;
};

/** Ink's (input, key) → one name: 'q', 'ctrl+c', 'shift+tab', 'up', 'pagedown', 'escape'. */
export function keyName(input: string, key: Key): string {
	if (key.ctrl && input === 'c') return 'ctrl+c';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	if (key.escape) return 'escape';
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pageup';
	if (key.pageDown) return 'pagedown';
	if (key.home) return 'home';
	if (key.end) return 'end';
	if (key.return) return 'return';
	if (key.backspace || key.delete) return 'backspace';
	if (key.ctrl) return `ctrl+${input}`;
	return input;
}

/** Lines a page key moves. */
const page = 8;

function back(store: DashboardStore): boolean {
	const {ui} = store.getState();
	if (ui.overlay !== 'none') {
		store.ui(() => ({overlay: 'none'}));
		return true;
	}
	if (ui.filters[ui.focus] !== '') {
		store.ui((u) => ({filters: {...u.filters, [u.focus]: ''}, selection: {...u.selection, [u.focus]: 0}}));
		return true;
	}
	return false;
}

/** Move the focused pane's selection (or the log's scroll) by `delta`; Infinity for the ends. */
function move(store: DashboardStore, delta: number): void {
	const state = store.getState();
	const {ui} = state;
	if (ui.focus === 'log') {
		store.ui((u) => {
			const following = u.log.follow;
			const fromBottom = Math.max(0, (following ? 0 : u.log.fromBottom) - delta);
			if (delta === Infinity) return {log: {...u.log, follow: true, fromBottom: 0}};
			if (following && delta < 0) return {log: {...u.log, follow: false, fromBottom, pausedAtTotal: store.log.total}};
			return {log: {...u.log, fromBottom}};
		});
		return;
	}
	const count = ui.focus === 'topics' ? state.topics.length : ui.focus === 'deferred' ? pausable(state.actors).length : 0;
	store.ui((u) => {
		const next = Math.min(Math.max(0, u.selection[u.focus] + delta), Math.max(0, count - 1));
		return {selection: {...u.selection, [u.focus]: Number.isFinite(next) ? next : 0}};
	});
}

function pauseTarget(store: DashboardStore): string | undefined {
	const {ui, actors} = store.getState();
	const workers = pausable(actors);
	if (ui.focus === 'deferred') {
		const selected = workers[ui.selection.deferred];
		if (selected) return selected.name;
	}
	return workers.find((actor) => actor.kind === 'master')?.name ?? workers[0]?.name;
}

function report(store: DashboardStore, work: Promise<unknown>): void {
	work.catch((error: unknown) => store.notice(error instanceof Error ? error.message : String(error), true));
}

export const keymap: Binding[] = [
	{keys: ['?'], show: '?', label: 'help: this list of keys', scope: 'global', hint: 'help', run: ({store}) => store.ui(() => ({overlay: 'help'}))},
	{keys: ['tab'], show: 'Tab', label: 'focus the next pane', scope: 'global', run: ({store}) => store.cycleFocus(1)},
	{keys: ['shift+tab'], show: 'Shift-Tab', label: 'focus the previous pane', scope: 'global', run: ({store}) => store.cycleFocus(-1)},
	{
		keys: ['1', '2', '3', '4'],
		show: '1-4',
		label: 'focus a pane by its number',
		scope: 'global',
		run: ({store}, name) => store.focus(paneIds[Number(name) - 1] ?? 'topics'),
	},
	{keys: ['up', 'k'], show: '↑/k', label: 'select or scroll up', scope: 'global', run: ({store}) => move(store, -1)},
	{keys: ['down', 'j'], show: '↓/j', label: 'select or scroll down', scope: 'global', run: ({store}) => move(store, 1)},
	{keys: ['pageup'], show: 'PgUp', label: 'a page up', scope: 'global', run: ({store}) => move(store, -page)},
	{keys: ['pagedown'], show: 'PgDn', label: 'a page down', scope: 'global', run: ({store}) => move(store, page)},
	{keys: ['home', 'g'], show: 'Home/g', label: 'to the top', scope: 'global', run: ({store}) => move(store, -Infinity)},
	{keys: ['end', 'G'], show: 'End/G', label: 'to the bottom (log follows)', scope: 'global', run: ({store}) => move(store, Infinity)},
	{keys: ['/'], show: '/', label: 'filter the focused pane', scope: 'global', hint: 'filter', run: ({store}) => store.ui(() => ({overlay: 'filter'}))},
	{keys: ['n'], show: 'n', label: 'publish: topic or deferred', scope: 'global', hint: 'publish', run: ({store}) => store.ui(() => ({overlay: 'form'}))},
	{keys: ['+'], show: '+', label: 'add a deferred worker', scope: 'global', hint: 'workers', run: ({store, controls}) => report(store, controls.addWorker())},
	{keys: ['-'], show: '-', label: 'stop the newest worker', scope: 'global', run: ({store, controls}) => report(store, controls.removeWorker())},
	{keys: ['s'], show: 's', label: 'live consumer on a topic (again: stop it)', scope: 'global', hint: 'subscribe', run: ({store}) => store.ui(() => ({overlay: 'subscribe'}))},
	{
		keys: ['p'],
		show: 'p',
		label: 'pause or resume the master, or the worker selected in Deferred',
		scope: 'global',
		hint: 'pause',
		run: ({store, controls}) => {
			const target = pauseTarget(store);
			if (target) report(store, controls.togglePause(target));
			else store.notice('no master or worker runs in this process', true);
		},
	},
	{keys: ['f'], show: 'f', label: 'follow the newest, or pause', scope: 'log', run: ({store}) => {
		store.ui((u) => (u.log.follow ? {log: {...u.log, follow: false, fromBottom: 0, pausedAtTotal: store.log.total}} : {log: {...u.log, follow: true, fromBottom: 0}}));
	}},
	{keys: ['c'], show: 'c', label: 'clear the log', scope: 'log', run: ({store}) => store.clearLog()},
	{keys: ['w'], show: 'w', label: 'wrap long lines, or cut', scope: 'log', run: ({store}) => store.ui((u) => ({log: {...u.log, wrap: !u.log.wrap}}))},
	{keys: ['escape'], show: 'Esc', label: 'close, or clear the filter', scope: 'global', run: ({store}) => void back(store)},
	{keys: ['q'], show: 'q', label: 'back out; quit at top level', scope: 'global', hint: 'quit', run: ({store, controls}) => {
		if (!back(store)) controls.quit();
	}},
	{keys: ['ctrl+c'], show: 'Ctrl-C', label: 'quit, always', scope: 'global', run: ({controls}) => controls.quit()},
];

/** The status bar's hint line, from the same table. */
export const hints = keymap
	.filter((binding) => binding.hint)
	.map((binding) => `${binding.show} ${binding.hint}`)
	.join('  ');

/** Overlays with a text field: single-letter keys type into it instead. */
export function typing(overlay: string): boolean {
	return overlay === 'form' || overlay === 'filter' || overlay === 'subscribe';
}

/** Runs the binding for a key press; returns whether one ran. */
export function dispatch(context: KeyContext, input: string, key: Key): boolean {
	const name = keyName(input, key);
	const {ui} = context.store.getState();
	if (name === 'ctrl+c') {
		context.controls.quit();
		return true;
	}
	if (typing(ui.overlay)) return false;
	if (ui.overlay === 'help') {
		if (name === '?' || name === 'q' || name === 'escape') context.store.ui(() => ({overlay: 'none'}));
		return true;
	}
	const binding =
		keymap.find((b) => b.scope === ui.focus && b.keys.includes(name)) ?? keymap.find((b) => b.scope === 'global' && b.keys.includes(name));
	if (!binding) return false;
	binding.run(context, name);
	return true;
}
