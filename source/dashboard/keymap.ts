// One table of keys drives both dispatch and the help overlay (as Wrangler's
// hotkeys do), so what `?` says can never drift from what the keys do.
import type {Key} from 'ink';
import type {Controls} from './controls.js';
import {claimIdleMs} from './store/browse.js';
import {labOrder} from './lab-names.js';
import type {DashboardStore} from './store/store.js';
import {pausable} from './store/selectors.js';
import {paneIds, paneTitles, type PaneId, type View} from './store/types.js';

export type KeyContext = {store: DashboardStore; controls: Controls};

/**
 * Where keys work: everywhere; in the four panes (whichever has focus); while
 * that pane has focus; in the Labs view (where the running lab's own keys,
 * lab.actions(), come after these); or in the Catalog or Mesh view.
 */
export type Scope = 'global' | 'panes' | PaneId | 'labs' | 'catalog' | 'events' | 'mesh';

export type Binding = {
	keys: string[];
	/** How help writes the keys. */
	show: string;
	label: string;
	scope: Scope;
	/** Short label for the status bar's hint line (per view where it differs); absent: help only. */
	hint?: string | Partial<Record<View, string>>;
	/** In the Labs view, hinted only while it shows the picker (no lab runs) or only while a lab runs. */
	when?: 'picking' | 'running';
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

/** Esc and q: close what is open, one step at a time; false when there is nothing left to close. */
function back({store, controls}: KeyContext): boolean {
	const {ui} = store.getState();
	if (ui.overlay !== 'none') {
		store.ui(() => ({overlay: 'none'}));
		return true;
	}
	if (ui.view === 'catalog') {
		if (ui.catalog.open) store.ui((u) => ({catalog: {...u.catalog, open: false}}));
		else store.ui(() => ({view: 'panes'}));
		return true;
	}
	if (ui.view === 'mesh') {
		store.ui(() => ({view: 'panes'}));
		return true;
	}
	if (ui.view === 'labs') {
		if (ui.labs.explain) store.ui((u) => ({labs: {...u.labs, explain: false}}));
		else leaveLabs({store, controls});
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

/** Back to the four panes; the lab stops (its lines stay in the Log). */
function leaveLabs({store, controls}: KeyContext): void {
	store.ui((u) => ({view: 'panes', labs: {...u.labs, explain: false}}));
	if (store.getState().lab.phase !== 'idle' && controls.labs) report(store, controls.labs.stop());
}

/** The picker only moves while no lab runs. */
function pickLab(store: DashboardStore, delta: number): void {
	if (store.getState().lab.phase !== 'idle') return;
	store.ui((u) => ({labs: {...u.labs, selected: Math.min(labOrder.length - 1, Math.max(0, u.labs.selected + delta))}}));
}

/** Moves the Catalog view's selection (its list; the detail shows the selected topic). */
function pickTopic(store: DashboardStore, delta: number): void {
	const {catalog} = store.getState();
	const last = Math.max(0, catalog.rows.length - 1);
	store.ui((u) => {
		const next = Math.min(last, Math.max(0, u.catalog.selected + delta));
		return {catalog: {...u.catalog, selected: Number.isFinite(next) ? next : 0}};
	});
}

function startLab({store, controls}: KeyContext): void {
	const {lab, ui} = store.getState();
	if (lab.phase !== 'idle') return;
	const name = labOrder[ui.labs.selected] ?? 'orders';
	if (!controls.labs) store.notice('no lab can run here', true);
	else report(store, controls.labs.start(name));
}

/** The Events view's feed, or a notice that there is none yet. */
function browser({store, controls}: KeyContext) {
	if (!controls.browser) store.notice('still connecting to Redis; try again in a moment', true);
	return controls.browser;
}

/** Runs one of the Events view's actions in a mode it applies to. */
function inMode(context: KeyContext, modes: string[], run: (b: NonNullable<Controls['browser']>) => unknown): void {
	const b = browser(context);
	if (!b || !modes.includes(context.store.getState().browse.mode)) return;
	const result = run(b);
	if (result instanceof Promise) report(context.store, result);
}

// Each label fits one line of the help at 80×24 (about 27 cells); README "look inside an event" says more.
const eventsBindings: Binding[] = [
	{keys: ['up', 'k'], show: '↑/k', label: 'the event above, or scroll', scope: 'events', run: (c) => c.controls.browser?.move(-1)},
	{keys: ['down', 'j'], show: '↓/j', label: 'the event below, or scroll', scope: 'events', run: (c) => c.controls.browser?.move(1)},
	{keys: ['pageup'], show: 'PgUp', label: 'a page up', scope: 'events', run: (c) => c.controls.browser?.move(-page)},
	{keys: ['pagedown'], show: 'PgDn', label: 'a page down', scope: 'events', run: (c) => c.controls.browser?.move(page)},
	{keys: ['home', 'g'], show: 'Home/g', label: 'the newest (follows new)', scope: 'events', run: (c) => c.controls.browser?.move(-Infinity)},
	{keys: ['end', 'G'], show: 'End/G', label: 'the oldest read so far', scope: 'events', run: (c) => c.controls.browser?.move(Infinity)},
	{
		keys: ['return'],
		show: 'Enter',
		label: 'open the event whole',
		scope: 'events',
		hint: 'open',
		run: (c) => {
			const {mode} = c.store.getState().browse;
			if (mode === 'list') c.controls.browser?.openEvent();
			else if (mode === 'deferred' && c.controls.browser?.selectedDeferred()) c.store.setBrowse({mode: 'deferred-event', scroll: 0});
		},
	},
	{
		keys: ['/'],
		show: '/',
		label: 'filter: text or field=value',
		scope: 'events',
		hint: 'filter',
		run: (c) => inMode(c, ['list'], (b) => b.ask({kind: 'filter', value: c.store.getState().browse.filter?.text ?? ''})),
	},
	{keys: ['t'], show: 't', label: "the event's trace (tree)", scope: 'events', hint: 'trace', run: (c) => inMode(c, ['list', 'event'], (b) => b.trace())},
	{
		keys: ['r'],
		show: 'r',
		label: 'republish, caused by it',
		scope: 'events',
		hint: 'republish',
		run: (c) => inMode(c, ['list', 'event'], (b) => b.ask({kind: 'republish', value: c.store.getState().browse.topic})),
	},
	{keys: ['x'], show: 'x', label: 'export the list to NDJSON', scope: 'events', hint: 'export', run: (c) => inMode(c, ['list'], (b) => b.exportList())},
	{
		keys: ['c'],
		show: 'c',
		label: 'groups; on a group: claim',
		scope: 'events',
		hint: 'groups',
		run: (c) => {
			const {mode, groups, selected} = c.store.getState().browse;
			if (mode === 'groups') {
				const group = groups?.[selected];
				if (group) inMode(c, ['groups'], (b) => b.ask({kind: 'claim', value: 'eda-dashboard', group: group.name, minIdleMs: claimIdleMs}));
			} else inMode(c, ['list', 'event'], (b) => b.openGroups());
		},
	},
	{keys: ['R'], show: 'R', label: 'deferred: retry it now', scope: 'events', run: (c) => inMode(c, ['deferred', 'deferred-event'], (b) => b.retryDeferred())},
	{
		keys: ['A'],
		show: 'A',
		label: 'deferred: retry all dead',
		scope: 'events',
		run: (c) => inMode(c, ['deferred', 'deferred-event'], (b) => b.ask({kind: 'confirm', action: 'retry-all-dead', text: 'retry every dead event?'})),
	},
	{
		keys: ['X'],
		show: 'X',
		label: 'deferred: delete it',
		scope: 'events',
		run: (c) =>
			inMode(c, ['deferred', 'deferred-event'], (b) => {
				const event = b.selectedDeferred();
				if (event) b.ask({kind: 'confirm', action: 'delete', text: `delete deferred event #${event.id}?`});
			}),
	},
	{keys: ['escape', 'q'], show: 'Esc/q', label: 'stop the search, or back', scope: 'events', hint: 'back', run: (c) => {
		if (c.controls.browser) c.controls.browser.back();
		else c.store.ui(() => ({view: 'panes'}));
	}},
];

export const keymap: Binding[] = [
	{keys: ['?'], show: '?', label: 'help: keys that work here', scope: 'global', hint: 'help', run: ({store}) => store.ui(() => ({overlay: 'help'}))},
	{keys: ['tab'], show: 'Tab', label: 'focus the next pane', scope: 'panes', run: ({store}) => store.cycleFocus(1)},
	{keys: ['shift+tab'], show: 'Shift-Tab', label: 'focus the previous pane', scope: 'panes', run: ({store}) => store.cycleFocus(-1)},
	{
		keys: ['1', '2', '3', '4'],
		show: '1-4',
		label: 'focus a pane by its number',
		scope: 'panes',
		run: ({store}, name) => store.focus(paneIds[Number(name) - 1] ?? 'topics'),
	},
	{keys: ['up', 'k'], show: '↑/k', label: 'select or scroll up', scope: 'panes', run: ({store}) => move(store, -1)},
	{keys: ['down', 'j'], show: '↓/j', label: 'select or scroll down', scope: 'panes', run: ({store}) => move(store, 1)},
	{keys: ['pageup'], show: 'PgUp', label: 'a page up', scope: 'panes', run: ({store}) => move(store, -page)},
	{keys: ['pagedown'], show: 'PgDn', label: 'a page down', scope: 'panes', run: ({store}) => move(store, page)},
	{keys: ['home', 'g'], show: 'Home/g', label: 'to the top', scope: 'panes', run: ({store}) => move(store, -Infinity)},
	{keys: ['end', 'G'], show: 'End/G', label: 'to the bottom (log follows)', scope: 'panes', run: ({store}) => move(store, Infinity)},
	{keys: ['/'], show: '/', label: 'filter the focused pane', scope: 'panes', hint: 'filter', run: ({store}) => store.ui(() => ({overlay: 'filter'}))},
	{keys: ['n'], show: 'n', label: 'publish: topic or deferred', scope: 'panes', hint: 'publish', run: ({store}) => store.ui(() => ({overlay: 'form'}))},
	{keys: ['+'], show: '+', label: 'add a deferred worker', scope: 'panes', hint: 'workers', run: ({store, controls}) => report(store, controls.addWorker())},
	{keys: ['-'], show: '-', label: 'stop the newest worker', scope: 'panes', run: ({store, controls}) => report(store, controls.removeWorker())},
	{keys: ['s'], show: 's', label: 'live consumer, or stop it', scope: 'panes', hint: 'subscribe', run: ({store}) => store.ui(() => ({overlay: 'subscribe'}))},
	{
		keys: ['p'],
		show: 'p',
		// One line in the help at 80×24 (the worker is the one selected in Deferred).
		label: '(un)pause master, or worker',
		scope: 'panes',
		hint: 'pause',
		run: ({store, controls}) => {
			const target = pauseTarget(store);
			if (target) report(store, controls.togglePause(target));
			else store.notice('no master or worker runs in this process', true);
		},
	},
	{keys: ['L'], show: 'L', label: 'concept labs, full screen', scope: 'panes', hint: 'labs', run: ({store}) => store.ui(() => ({view: 'labs', overlay: 'none'}))},
	{
		keys: ['C'],
		show: 'C',
		label: 'event catalog, full screen',
		scope: 'panes',
		hint: 'catalog',
		run: ({store}) => store.ui((u) => ({view: 'catalog', overlay: 'none', catalog: {...u.catalog, open: false}})),
	},
	{
		keys: ['return'],
		show: 'Enter',
		label: "open the row's events",
		scope: 'panes',
		run: (c) => {
			const state = c.store.getState();
			const focus = state.ui.focus;
			if (focus !== 'topics' && focus !== 'deferred') return;
			const b = browser(c);
			if (!b) return;
			if (focus === 'deferred') return report(c.store, b.openDeferred());
			// The pane's rows as TopicsPane filters them (its visibleTopics; not imported: the skeleton loads this file before React).
			const needle = state.ui.filters.topics.toLowerCase();
			const topic = state.topics.filter((t) => t.name.toLowerCase().includes(needle))[state.ui.selection.topics];
			if (topic) report(c.store, b.openTopic(topic.name));
		},
	},
	{keys: ['M'], show: 'M', label: 'event mesh, full screen', scope: 'panes', hint: 'mesh', run: ({store}) => store.ui(() => ({view: 'mesh', overlay: 'none'}))},
	{keys: ['f'], show: 'f', label: 'follow the newest, or pause', scope: 'log', run: ({store}) => {
		store.ui((u) => (u.log.follow ? {log: {...u.log, follow: false, fromBottom: 0, pausedAtTotal: store.log.total}} : {log: {...u.log, follow: true, fromBottom: 0}}));
	}},
	{keys: ['c'], show: 'c', label: 'clear the log', scope: 'log', run: ({store}) => store.clearLog()},
	{keys: ['w'], show: 'w', label: 'wrap long lines, or cut', scope: 'log', run: ({store}) => store.ui((u) => ({log: {...u.log, wrap: !u.log.wrap}}))},
	{keys: ['up', 'down'], show: '↑/↓', label: 'pick a lab (before one runs)', scope: 'labs', hint: 'pick', when: 'picking', run: ({store}, name) => pickLab(store, name === 'up' ? -1 : 1)},
	{keys: ['return'], show: 'Enter', label: 'start the picked lab (leaving Labs stops it)', scope: 'labs', hint: 'start', when: 'picking', run: (context) => startLab(context)},
	{keys: ['e'], show: 'e', label: "the lab's whole explanation, or back", scope: 'labs', hint: 'explain', when: 'running', run: ({store}) => store.ui((u) => ({labs: {...u.labs, explain: !u.labs.explain}}))},
	{keys: ['up', 'k'], show: '↑/k', label: 'the topic above (its schema, when open)', scope: 'catalog', hint: 'pick', run: ({store}) => pickTopic(store, -1)},
	{keys: ['down', 'j'], show: '↓/j', label: 'the topic below', scope: 'catalog', run: ({store}) => pickTopic(store, 1)},
	{keys: ['home', 'g'], show: 'Home/g', label: 'the first topic', scope: 'catalog', run: ({store}) => pickTopic(store, -Infinity)},
	{keys: ['end', 'G'], show: 'End/G', label: 'the last topic', scope: 'catalog', run: ({store}) => pickTopic(store, Infinity)},
	{
		keys: ['return'],
		show: 'Enter',
		label: "the topic's schema as a tree and the diff of its last change",
		scope: 'catalog',
		hint: 'schema',
		run: ({store}) => store.ui((u) => ({catalog: {...u.catalog, open: store.getState().catalog.rows.length > 0}})),
	},
	...eventsBindings,
	{keys: ['escape'], show: 'Esc', label: 'back out one step', scope: 'global', run: (context) => void back(context)},
	{keys: ['q'], show: 'q', label: 'back out; quit at top level', scope: 'global', hint: {panes: 'quit', labs: 'back', catalog: 'back', mesh: 'back'}, run: (context) => {
		if (!back(context)) context.controls.quit();
	}},
	{keys: ['ctrl+c'], show: 'Ctrl-C', label: 'quit, always', scope: 'global', run: ({controls}) => controls.quit()},
];

/** Which scopes a key is looked up in, first match wins. */
function scopesFor(view: View, focus: PaneId): Scope[] {
	return view === 'panes' ? [focus, 'panes', 'global'] : [view, 'global'];
}

/** The scopes help lists for a view, in order (every pane's own keys, focused or not). */
export function helpScopes(view: View): Scope[] {
	return view === 'panes' ? ['global', 'panes', ...paneIds] : ['global', view];
}

export function scopeTitle(scope: Scope): string {
	if (scope === 'global') return 'Everywhere';
	if (scope === 'panes') return 'In the panes';
	if (scope === 'labs') return 'In Labs';
	if (scope === 'catalog') return 'In the Catalog';
	if (scope === 'events') return 'In Events';
	if (scope === 'mesh') return 'In the Mesh view';
	return `In ${paneTitles[scope]}`;
}

/** A view's bindings for help: each scope's, without keys another scope of the view takes first. */
export function bindingsFor(view: View): {scope: Scope; bindings: Binding[]}[] {
	const order = view === 'panes' ? undefined : [view, 'global'];
	return helpScopes(view)
		.map((scope) => {
			const before = order ? order.slice(0, order.indexOf(scope)) : [];
			const taken = new Set(keymap.filter((b) => before.includes(b.scope)).flatMap((b) => b.keys));
			return {scope, bindings: keymap.filter((b) => b.scope === scope && b.keys.some((k) => !taken.has(k)))};
		})
		.filter((section) => section.bindings.length > 0);
}

function hintOf(binding: Binding, view: View): string | undefined {
	return typeof binding.hint === 'string' ? binding.hint : binding.hint?.[view];
}

/** The status bar's hint line for a view, from the same table (in its order); `picking`: no lab runs. */
export function hintLine(view: View, picking = true): string {
	const reachable = new Set(bindingsFor(view).flatMap((section) => section.bindings));
	return keymap
		.filter((binding) => reachable.has(binding) && binding.when !== (picking ? 'running' : 'picking'))
		.map((binding) => ({binding, hint: hintOf(binding, view)}))
		.filter(({hint}) => hint !== undefined)
		.map(({binding, hint}) => `${binding.show} ${hint}`)
		.join('  ');
}

/** The panes' hint line. */
export const hints = hintLine('panes');

/** Overlays with a text field: single-letter keys type into it instead. */
export function typing(overlay: string): boolean {
	return overlay === 'form' || overlay === 'filter' || overlay === 'subscribe' || overlay === 'ask';
}

/** Runs the binding for one key press (hooks/use-keys.ts splits a read into keys); returns whether one ran. */
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
	for (const scope of scopesFor(ui.view, ui.focus)) {
		const binding = keymap.find((b) => b.scope === scope && b.keys.includes(name));
		if (binding) {
			binding.run(context, name);
			return true;
		}
	}
	// The Labs view: then the running lab's own keys.
	const {lab} = context.store.getState();
	if (ui.view === 'labs' && lab.phase === 'running' && lab.snapshot?.actions.some((a) => a.key === name) && context.controls.labs) {
		report(context.store, context.controls.labs.action(name));
		return true;
	}
	return false;
}
