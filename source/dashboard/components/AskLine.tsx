// The Events view's question on its last line: a filter, the topic to
// republish to, the consumer to claim for (Enter answers, Esc cancels), or a
// yes/no before a bulk or destructive action (y or Enter, n or Esc).
import {Box, Text} from 'ink';
import React from 'react';
import useDashboard from '../hooks/use-dashboard.js';
import useKeys from '../hooks/use-keys.js';
import useLatestState from '../hooks/use-latest-state.js';
import {keyName} from '../keymap.js';
import type {Ask} from '../store/browse.js';
import {edit, field, type Field} from '../text-edit.js';
import {cut, duration} from '../../text/index.js';
import TextField from './TextField.js';

const labels = {
	filter: '/ filter (text, or field=value, field>n): ',
	republish: 'republish to topic: ',
	claim: 'claim for consumer: ',
} as const;

export default function AskLine({ask, width}: {ask: Ask; width: number}) {
	const {controls} = useDashboard();
	const [text, setText, latest] = useLatestState<Field>(() => field(ask.kind === 'confirm' ? '' : ask.value));
	const browser = controls.browser;
	useKeys(
		(input, key, paste) => {
			const name = paste ? 'paste' : keyName(input, key);
			if (!browser) return;
			if (ask.kind === 'confirm') {
				if (name === 'y' || name === 'return') void browser.answer('y');
				else if (name === 'n' || name === 'escape') browser.cancelAsk();
				return;
			}
			if (name === 'escape') return browser.cancelAsk();
			if (name === 'return') return void browser.answer(latest.current.value);
			const next = edit(latest.current, input, key);
			if (next) setText(next);
		},
		{field: true},
	);
	if (ask.kind === 'confirm') {
		return (
			<Text bold wrap="truncate-end">
				{cut(ask.text, width - 30)} y/Enter yes · n/Esc no
			</Text>
		);
	}
	const label = ask.kind === 'claim' ? `claim ${ask.group}'s entries idle ≥ ${duration(ask.minIdleMs)} for consumer: ` : labels[ask.kind];
	const hint = ' Enter · Esc cancels';
	return (
		<Box width={width}>
			<Text bold>{cut(label, Math.floor(width / 2))}</Text>
			<TextField field={text} active width={Math.max(10, width - label.length - hint.length - 1)} />
			<Text dimColor>{hint}</Text>
		</Box>
	);
}
