import {Box, Text} from 'ink';
import React, {useState} from 'react';
import useKeys from '../hooks/use-keys.js';
import useLatestState from '../hooks/use-latest-state.js';
import {subscriptionError} from '../../topics/names.js';
import {keyName} from '../keymap.js';
import {edit, field, type Field} from '../text-edit.js';
import {cut} from '../../text/index.js';
import {paneTitles} from '../store/types.js';
import useDashboard from '../hooks/use-dashboard.js';
import {completions} from './PublishForm.js';
import TextField from './TextField.js';

type Props = {kind: 'filter' | 'subscribe'; width: number};

/**
 * The one-line prompt on the status bar for `/` (filter the focused pane, live
 * as you type) and `s` (subscribe a live consumer; Tab completes a topic).
 */
export default function Prompt({kind, width}: Props) {
	const {store, controls} = useDashboard();
	const state = store.getState();
	const focus = state.ui.focus;
	const selected = state.topics[state.ui.selection.topics]?.name ?? '';
	const [text, setText, latest] = useLatestState<Field>(() => field(kind === 'filter' ? state.ui.filters[focus] : selected));
	const [problem, setProblem] = useState<string | undefined>();
	const known = store.topicNames();
	const suggestions = kind === 'subscribe' ? completions(text.value, known) : [];

	const setFilter = (value: string) => store.ui((ui) => ({filters: {...ui.filters, [ui.focus]: value}, selection: {...ui.selection, [ui.focus]: 0}}));

	useKeys((input, key, paste) => {
		const text = latest.current;
		const suggestions = kind === 'subscribe' ? completions(text.value, store.topicNames()) : [];
		// Pasted text is only ever inserted (edit makes its line breaks spaces): it neither submits nor completes.
		const name = paste ? 'paste' : keyName(input, key);
		if (name === 'escape') {
			if (kind === 'filter') setFilter('');
			store.ui(() => ({overlay: 'none'}));
			return;
		}
		if (name === 'return') {
			if (kind === 'filter') {
				store.ui(() => ({overlay: 'none'}));
				return;
			}
			const error = subscriptionError(text.value);
			if (error) {
				setProblem(error);
				return;
			}
			store.ui(() => ({overlay: 'none'}));
			controls.toggleSubscription(text.value).catch((e: unknown) => store.notice(e instanceof Error ? e.message : String(e), true));
			return;
		}
		if (name === 'tab' && suggestions[0]) {
			setText(field(suggestions[0]));
			return;
		}
		const next = edit(text, input, key);
		if (!next) return;
		setText(next);
		setProblem(undefined);
		if (kind === 'filter') setFilter(next.value);
	}, {field: true});

	const label = kind === 'filter' ? `/ filter ${paneTitles[focus]}: ` : 'subscribe to topic: ';
	const hint =
		problem !== undefined
			? `✗ ${problem}`
			: kind === 'filter'
				? 'Enter keeps · Esc clears'
				: suggestions.length > 0
					? `Tab: ${suggestions.slice(0, 3).map((s) => cut(s, 20)).join(' ')} · Enter · Esc`
					: 'Enter subscribes (or unsubscribes) · Esc cancels';
	const fieldWidth = Math.max(10, width - label.length - hint.length - 3);
	return (
		<Box width={width}>
			<Text bold>{label}</Text>
			<TextField field={text} active width={fieldWidth} />
			<Text dimColor wrap="truncate-end">
				{' '}
				{hint}
			</Text>
		</Box>
	);
}
