import {useInput, useStdin, type Key} from 'ink';
import type {EventEmitter} from 'node:events';
import {useEffect, useRef} from 'react';
import {createReader, noKey, type Read} from '../input.js';

/** A key press, or (paste: true) pasted text in `input` with no key flags. */
export type KeyHandler = (input: string, key: Key, paste: boolean) => void;

type Press = {input: string; key: Key; paste: boolean};

type Tracker = {
	current: Read;
	/** Mounted text fields' handlers (the form, a prompt): at most one at a time. */
	fields: Set<{readonly current: KeyHandler}>;
	/** Keys typed ahead of a text field that is opening but not mounted yet. */
	held: Press[];
	/** A text field was mounted when the current read came: its keys are the field's, even once Enter has closed it. */
	fieldAtRead: boolean;
};

// One reader per Ink instance, so every handler agrees on whether a paste is open.
const trackers = new WeakMap<EventEmitter, Tracker>();

/**
 * Ink's raw input events (internal_eventEmitter, one per escape sequence or
 * run of plain bytes in a read) classified before any useInput handler sees
 * them: prepended, so it runs first whichever component mounted first.
 */
function tracker(emitter: EventEmitter): Tracker {
	let found = trackers.get(emitter);
	if (!found) {
		const read = createReader();
		const made: Tracker = {current: {kind: 'key'}, fields: new Set(), held: [], fieldAtRead: false};
		emitter.prependListener('input', (raw: string) => {
			made.current = read(raw);
			made.fieldAtRead = made.fields.size > 0;
		});
		trackers.set(emitter, made);
		found = made;
	}
	return found;
}

export type TypeAhead = {
	/** Whether a text field's handler is mounted. */
	fieldReady(): boolean;
	/** Keeps a key for the text field about to mount (`n` then Tab Tab in one read: the Tabs are the form's). */
	hold(input: string, key: Key, paste: boolean): void;
	/**
	 * Whether a text field was mounted when this key was read. Its handler may
	 * run first and close it (Enter), so the overlay alone cannot tell; the
	 * keymap must not take that Enter as its own (it would open what is selected).
	 */
	fieldHadKey(): boolean;
};

/**
 * useInput, one call per key: keys that came in one read are handled one by
 * one, a bracketed paste comes as text (paste: true), its marks not at all.
 * `field`: this handler edits a text field; on mount it gets the keys held for it.
 */
export default function useKeys(handler: KeyHandler, options: {field?: boolean} = {}): TypeAhead {
	const {internal_eventEmitter: emitter} = useStdin();
	const reads = tracker(emitter);
	const latest = useRef(handler);
	latest.current = handler;
	const field = options.field === true;
	useEffect(() => {
		if (!field) return;
		reads.fields.add(latest);
		const held = reads.held.splice(0);
		for (const press of held) latest.current(press.input, press.key, press.paste);
		return () => {
			reads.fields.delete(latest);
		};
	}, [field, reads]);
	useInput((input, key) => {
		// Read at the time of the event: the tracker ran just before this handler.
		const read = reads.current;
		if (read.kind === 'mark') return;
		if (read.kind === 'paste') handler(read.text, noKey, true);
		else if (read.kind === 'keys') for (const one of read.keys) handler(one.input, one.key, false);
		else handler(input, key, false);
	});
	return {
		fieldReady: () => reads.fields.size > 0,
		hold: (input, key, paste) => void reads.held.push({input, key, paste}),
		fieldHadKey: () => reads.fieldAtRead,
	};
}
