// The Events view's state: one topic's events (a page newest first, or the
// matches of a filter), the event opened whole, a trace, a topic's consumer
// groups, or the deferred events. The browser feed (feed/browser.ts) writes
// it; components draw it. Network text stays raw here and is sanitised where
// it is drawn (the text helpers do it).
import type {GroupDetail} from '../../browser/groups.js';
import type {StoredEvent} from '../../browser/events.js';
import type {TraceRow} from '../../browser/trace.js';
import type {EventView} from '../../deferred/inspect.js';

export type BrowseMode = 'list' | 'event' | 'trace' | 'groups' | 'deferred' | 'deferred-event';

/** A question asked on the view's last line: a text (filter, topic, consumer) or a yes/no. */
export type Ask =
	| {kind: 'filter'; value: string}
	| {kind: 'republish'; value: string}
	| {kind: 'claim'; value: string; group: string; minIdleMs: number}
	| {kind: 'confirm'; action: 'retry-all-dead' | 'delete'; text: string};

export type BrowseState = {
	mode: BrowseMode;
	topic: string;
	/** Newest first: the page read so far, or the filter's matches. */
	events: StoredEvent[];
	selected: number;
	/** Scroll of the opened event, trace or detail. */
	scroll: number;
	/** Entries the stream retains (XLEN when the view opened). */
	retained: number;
	/** Older entries may follow the last one read (a key near the end reads the next page). */
	more: boolean;
	loading: boolean;
	/** The filter in force and how far its search has gone. */
	filter?: {text: string; scanned: number; total: number; running: boolean};
	trace?: {correlationId: string; rows: TraceRow[]; scanned: number; running: boolean; topics: number};
	groups?: GroupDetail[];
	deferred?: EventView[];
	ask?: Ask;
	/** Counts questions asked, so each gets a fresh text field. */
	asked: number;
	error?: string;
};

/** Every field named, so a reset merged over the last state (store.setBrowse) leaves nothing of it. */
export const initialBrowse = (): BrowseState => ({
	mode: 'list',
	topic: '',
	events: [],
	selected: 0,
	scroll: 0,
	retained: 0,
	more: false,
	loading: false,
	asked: 0,
	filter: undefined,
	trace: undefined,
	groups: undefined,
	deferred: undefined,
	ask: undefined,
	error: undefined,
});

/** The claim key takes entries idle at least this long. */
export const claimIdleMs = 60_000;
