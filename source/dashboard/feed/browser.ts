// The Events view's feed: what its keys ask of Redis, on its own connection,
// written into the store (store/browse.ts). It reads a topic's page newest
// first and follows new events while the list sits at its top; runs the
// filter's bounded search with progress (Esc stops it); traces, republishes,
// exports, reads groups and claims, and acts on deferred events. Every read
// is bounded: a page, a step of a search, a step of a trace.
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import type {Redis} from 'ioredis';
import {readNewer, readPage, type StoredEvent} from '../../browser/events.js';
import {FilterError, parseFilter} from '../../browser/filter.js';
import {eventJson} from '../../browser/format.js';
import {claimIdle, readGroups} from '../../browser/groups.js';
import {replayEvent} from '../../browser/replay.js';
import {searchTopic} from '../../browser/search.js';
import {traceCorrelation, traceRows} from '../../browser/trace.js';
import {describeError} from '../../errors.js';
import {duration} from '../../text/index.js';
import {readDeferredSnapshot} from '../../deferred/inspect.js';
import {DeferredStore} from '../../deferred/store.js';
import {keys} from '../../redis/keys.js';
import {topicError} from '../../topics/names.js';
import type {Ask, BrowseMode, BrowseState} from '../store/browse.js';
import {initialBrowse} from '../store/browse.js';
import type {DashboardStore} from '../store/store.js';

/** Events one page reads; the list reads the next page as the selection nears its end. */
export const pageSize = 100;
/** Most events the list keeps (the newest): past it, following drops the oldest. */
const keepEvents = 5000;
/** Matches one filter keeps; the count of those scanned goes on. */
const keepMatches = 10_000;
/** How often a list at its top looks for new events. */
export const followMs = 1000;

export type BrowserOptions = {exportDir?: string; followMs?: number};

export class EventBrowser {
	private search: AbortController | undefined;
	private timer: NodeJS.Timeout | undefined;
	private following = false;
	/** Bumped on every open: a reply for a view left meanwhile is dropped. */
	private epoch = 0;
	private readonly deferred: DeferredStore;

	constructor(
		private readonly redis: Redis,
		private readonly store: DashboardStore,
		private readonly options: BrowserOptions = {},
	) {
		this.deferred = new DeferredStore(redis);
	}

	private get state(): BrowseState {
		return this.store.getState().browse;
	}

	private set(patch: Partial<BrowseState>, urgent = true): void {
		this.store.setBrowse(patch, urgent);
	}

	private fail(error: unknown): void {
		this.set({loading: false, error: describeError(error)});
	}

	/** Opens a topic's events, newest first, and follows new ones. */
	async openTopic(topic: string): Promise<void> {
		this.stopWork();
		const epoch = ++this.epoch;
		this.store.setBrowse({...initialBrowse(), asked: this.state.asked, topic, loading: true});
		this.store.ui(() => ({view: 'events', overlay: 'none'}));
		try {
			const [events, retained] = await Promise.all([readPage(this.redis, topic, {count: pageSize}), this.redis.xlen(keys.stream(topic))]);
			if (epoch !== this.epoch) return;
			this.set({events, retained, more: events.length === pageSize, loading: false});
		} catch (error) {
			this.fail(error);
		}
		this.startFollowing();
	}

	/** The selected event of the list. */
	selected(): StoredEvent | undefined {
		return this.state.events[this.state.selected];
	}

	/** Moves the list's selection; near the end, the next page (or more matches) is read. */
	move(delta: number): void {
		const {mode, events, selected, scroll} = this.state;
		if (mode === 'list' || mode === 'deferred' || mode === 'groups') {
			const count = mode === 'list' ? events.length : mode === 'deferred' ? (this.state.deferred?.length ?? 0) : (this.state.groups?.length ?? 0);
			const next = Math.min(Math.max(0, selected + delta), Math.max(0, count - 1));
			this.set({selected: Number.isFinite(next) ? next : 0});
			if (mode === 'list' && next >= events.length - 10) void this.more();
			return;
		}
		const next = Math.max(0, scroll + delta);
		this.set({scroll: Number.isFinite(next) ? next : 0});
	}

	/** The next page: older events, or the filter's next matches. */
	async more(): Promise<void> {
		const {more, loading, events, topic, filter} = this.state;
		const last = events.at(-1);
		if (!more || loading || !last || filter?.running) return;
		const epoch = this.epoch;
		if (filter) {
			void this.runSearch(filter.text, last.entryId);
			return;
		}
		this.set({loading: true});
		try {
			const page = await readPage(this.redis, topic, {count: pageSize, before: last.entryId});
			if (epoch !== this.epoch) return;
			this.set({events: [...this.state.events, ...page], more: page.length === pageSize, loading: false});
		} catch (error) {
			this.fail(error);
		}
	}

	/** Looks for new events while the list shows its top, unfiltered. */
	private startFollowing(): void {
		this.following = true;
		const tick = async () => {
			if (!this.following) return;
			const {mode, selected, filter, topic, events} = this.state;
			if (mode === 'list' && selected === 0 && !filter && this.store.getState().ui.view === 'events') {
				const epoch = this.epoch;
				try {
					const newer = await readNewer(this.redis, topic, events[0]?.entryId ?? '0-0', pageSize);
					if (newer.length > 0 && epoch === this.epoch && this.state.selected === 0 && !this.state.filter) {
						// A full page means more arrived than it holds: the list starts again from the newest
						// (a gap in it would break paging), else the new ones go on top.
						const merged = newer.length === pageSize ? newer : [...newer, ...this.state.events];
						const retained = await this.redis.xlen(keys.stream(topic));
						this.set({events: merged.slice(0, keepEvents), more: this.state.more || newer.length === pageSize || merged.length > keepEvents, retained}, false);
					}
				} catch {
					// Redis away: the status bar says so; the next tick tries again.
				}
			}
			if (this.following) this.timer = setTimeout(() => void tick(), this.options.followMs ?? followMs);
		};
		this.timer = setTimeout(() => void tick(), this.options.followMs ?? followMs);
	}

	/** Filters the list: the whole retained stream is searched in bounded steps, matches shown as found. */
	async applyFilter(text: string): Promise<void> {
		if (text.trim() === '') {
			this.search?.abort();
			await this.openTopic(this.state.topic);
			return;
		}
		try {
			parseFilter(text);
		} catch (error) {
			if (error instanceof FilterError) {
				this.store.notice(error.message, true);
				return;
			}
			throw error;
		}
		this.set({events: [], selected: 0, more: false});
		await this.runSearch(text, undefined);
	}

	private async runSearch(text: string, before: string | undefined): Promise<void> {
		this.search?.abort();
		const controller = new AbortController();
		this.search = controller;
		const epoch = this.epoch;
		const found: StoredEvent[] = [...this.state.events];
		const filters = [parseFilter(text)];
		this.set({filter: {text, scanned: this.state.filter?.text === text ? this.state.filter.scanned : 0, total: this.state.retained, running: true}});
		const base = this.state.filter?.scanned ?? 0;
		try {
			const result = await searchTopic(this.redis, this.state.topic, {
				filters,
				before,
				limit: keepMatches - found.length,
				signal: controller.signal,
				onMatch: (event) => found.push(event),
				onProgress: (p) => {
					if (epoch === this.epoch) this.set({events: [...found], filter: {text, scanned: base + p.scanned, total: Math.max(p.total, this.state.retained), running: true}}, false);
				},
			});
			if (epoch !== this.epoch) return;
			this.set({events: [...found], more: !result.complete && !result.stopped, filter: {text, scanned: base + result.scanned, total: Math.max(result.total, this.state.retained), running: false}});
		} catch (error) {
			if (epoch === this.epoch) this.set({filter: {text, scanned: base, total: this.state.retained, running: false}, error: describeError(error)});
		} finally {
			if (this.search === controller) this.search = undefined;
		}
	}

	/** Whether a search or trace is running (Esc stops it before it backs out). */
	busy(): boolean {
		return this.search !== undefined;
	}

	/** Stops the running search or trace between two steps; what it found stays. */
	stopSearch(): void {
		this.search?.abort();
	}

	/** Opens the selected event whole. */
	openEvent(): void {
		if (this.selected()) this.set({mode: 'event', scroll: 0});
	}

	/** The selected (or opened) event's trace across every topic. */
	async trace(): Promise<void> {
		const event = this.selected();
		if (!event) return;
		const correlationId = event.envelope.correlationid ?? event.envelope.id;
		this.search?.abort();
		const controller = new AbortController();
		this.search = controller;
		const epoch = this.epoch;
		this.set({mode: 'trace', scroll: 0, trace: {correlationId, rows: [], scanned: 0, running: true, topics: 0}});
		try {
			const result = await traceCorrelation(this.redis, correlationId, {
				signal: controller.signal,
				onProgress: (p) => {
					if (epoch === this.epoch && this.state.trace) this.set({trace: {...this.state.trace, scanned: p.scanned, topics: p.topics}}, false);
				},
			});
			if (epoch !== this.epoch) return;
			this.set({trace: {correlationId, rows: traceRows(result.events), scanned: result.scanned, running: false, topics: result.topics}});
		} catch (error) {
			this.fail(error);
		} finally {
			if (this.search === controller) this.search = undefined;
		}
	}

	/** Asks on the view's last line; the answer comes to answer(). */
	ask(ask: Ask): void {
		this.set({ask, asked: this.state.asked + 1});
		this.store.ui(() => ({overlay: 'ask'}));
	}

	cancelAsk(): void {
		this.set({ask: undefined});
		this.store.ui(() => ({overlay: 'none'}));
	}

	/** The answer to the open question (the text typed, or yes). */
	async answer(value: string): Promise<void> {
		const ask = this.state.ask;
		this.cancelAsk();
		if (!ask) return;
		try {
			if (ask.kind === 'filter') await this.applyFilter(value);
			else if (ask.kind === 'republish') await this.republish(value.trim());
			else if (ask.kind === 'claim') await this.claim(ask.group, value.trim(), ask.minIdleMs);
			else if (ask.action === 'retry-all-dead') await this.retryAllDead();
			else await this.deleteDeferred();
		} catch (error) {
			this.store.notice(describeError(error), true);
		}
	}

	/** Republishes the selected event to `to` (its own topic when empty), through the producer's checks. */
	async republish(to: string): Promise<void> {
		const event = this.selected();
		if (!event) return;
		const target = to === '' ? event.topic : to;
		const bad = topicError(target);
		if (bad) {
			this.store.notice(bad, true);
			return;
		}
		const replayed = await replayEvent(this.redis, event, target);
		this.store.notice(`republished to ${target} as ${replayed.ids[0] ?? '?'} (caused by ${event.envelope.id})${replayed.flagged ? '; it fails the declared schema (warn mode)' : ''}`);
	}

	/** Writes the list as it is filtered to an NDJSON file; answers its path. */
	async exportList(): Promise<string> {
		const {events, topic, filter} = this.state;
		const stamp = new Date().toISOString().replace(/[:.]/g, '-');
		const file = path.join(this.options.exportDir ?? process.cwd(), `eda-${topic}-${stamp}.ndjson`);
		await writeFile(file, events.map((event) => `${eventJson(event)}\n`).join(''));
		this.store.notice(`exported ${events.length} event(s)${filter ? ` matching ${filter.text}` : ''} to ${file}`);
		return file;
	}

	/** The topic's consumer groups, consumers and pending entries. */
	async openGroups(): Promise<void> {
		const epoch = this.epoch;
		this.set({mode: 'groups', selected: 0, scroll: 0, loading: true});
		try {
			const groups = await readGroups(this.redis, this.state.topic);
			if (epoch === this.epoch) this.set({groups, loading: false});
		} catch (error) {
			this.fail(error);
		}
	}

	async claim(group: string, consumer: string, minIdleMs: number): Promise<void> {
		if (consumer === '') {
			this.store.notice('name the consumer that takes the entries', true);
			return;
		}
		const moved = await claimIdle(this.redis, this.state.topic, group, consumer, minIdleMs);
		this.store.notice(`claimed ${moved} entr${moved === 1 ? 'y' : 'ies'} of ${group} idle ≥ ${duration(minIdleMs)} for ${consumer}`);
		await this.openGroups();
	}

	/** Scheduled and dead deferred events (the Enter of the Deferred pane). */
	async openDeferred(): Promise<void> {
		this.stopWork();
		const epoch = ++this.epoch;
		this.store.setBrowse({...initialBrowse(), asked: this.state.asked, mode: 'deferred', loading: true});
		this.store.ui(() => ({view: 'events', overlay: 'none'}));
		await this.readDeferred(epoch);
	}

	private async readDeferred(epoch: number): Promise<void> {
		try {
			const snapshot = await readDeferredSnapshot(this.redis);
			if (epoch !== this.epoch) return;
			const list = [...snapshot.dead, ...snapshot.scheduled];
			this.set({deferred: list, loading: false, selected: Math.min(this.state.selected, Math.max(0, list.length - 1))});
		} catch (error) {
			this.fail(error);
		}
	}

	selectedDeferred() {
		return this.state.deferred?.[this.state.selected];
	}

	async retryDeferred(): Promise<void> {
		const event = this.selectedDeferred();
		if (!event) return;
		const {moved, problem} = await this.deferred.retry(event.id);
		this.store.notice(moved === 1 ? `event #${event.id} back in message:queue` : `cannot retry #${event.id}: ${problem}`, moved !== 1);
		await this.afterDeferredChange();
	}

	async retryAllDead(): Promise<void> {
		const n = await this.deferred.retryAllDead();
		this.store.notice(`moved ${n} dead event(s) back to message:queue`);
		await this.afterDeferredChange();
	}

	async deleteDeferred(): Promise<void> {
		const event = this.selectedDeferred();
		if (!event) return;
		const why = await this.deferred.delete(event.id);
		this.store.notice(why === '' ? `deleted event #${event.id}` : `cannot delete #${event.id}: it is ${why}`, why !== '');
		await this.afterDeferredChange();
	}

	private async afterDeferredChange(): Promise<void> {
		if (this.state.mode === 'deferred-event') this.set({mode: 'deferred'});
		await this.readDeferred(this.epoch);
	}

	/** Esc and q: stop what runs, else back one step (a filter cleared, then out to the panes). */
	back(): void {
		if (this.search) {
			this.stopSearch();
			return;
		}
		const back: Partial<Record<BrowseMode, BrowseMode>> = {event: 'list', trace: 'list', groups: 'list', 'deferred-event': 'deferred'};
		const to = back[this.state.mode];
		if (to) {
			this.set({mode: to, scroll: 0, ...(this.state.mode === 'groups' ? {selected: 0} : {})});
			return;
		}
		if (this.state.mode === 'list' && this.state.filter) {
			void this.applyFilter('');
			return;
		}
		this.stopWork();
		this.epoch++;
		this.store.ui(() => ({view: 'panes', overlay: 'none'}));
	}

	private stopWork(): void {
		this.search?.abort();
		this.following = false;
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
	}

	stop(): void {
		this.stopWork();
		this.epoch++;
	}
}
