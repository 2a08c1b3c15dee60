import {Box, Text} from 'ink';
import React, {memo} from 'react';
import useTheme from '../hooks/use-theme.js';
import {keymap, type Binding} from '../keymap.js';
import {paneTitles} from '../store/types.js';
import {fit} from '../text.js';

type Props = {width: number; height: number};

function scopeTitle(scope: Binding['scope']): string {
	return scope === 'global' ? 'Everywhere' : `In ${paneTitles[scope]}`;
}

/** Every key, listed from the same table dispatch uses. */
function HelpOverlay({width, height}: Props) {
	const {color} = useTheme();
	const scopes = [...new Set(keymap.map((b) => b.scope))];
	const lines: {key: string; text: string; heading: boolean}[] = [];
	for (const scope of scopes) {
		lines.push({key: `h-${scope}`, text: scopeTitle(scope), heading: true});
		for (const b of keymap.filter((binding) => binding.scope === scope)) lines.push({key: b.keys.join(' '), text: `${fit(b.show, 10)} ${b.label}`, heading: false});
	}
	lines.push({key: 'h-form', text: 'In text fields', heading: true});
	lines.push({key: 'form', text: `${fit('Esc', 10)} cancel; letters type, only Ctrl-C quits`, heading: false});
	const inner = width - 4;
	const rows = height - 4;
	const columns = lines.length > rows ? 2 : 1;
	const perColumn = Math.ceil(lines.length / columns);
	const columnWidth = Math.floor(inner / columns);
	return (
		<Box flexDirection="column" borderStyle="double" borderColor={color('cyan')} width={width} height={height} paddingX={1}>
			<Text bold>Keys (? Esc or q closes)</Text>
			<Box>
				{Array.from({length: columns}, (_, c) => (
					<Box key={c} flexDirection="column" width={columnWidth}>
						{lines.slice(c * perColumn, (c + 1) * perColumn).map((line) => (
							<Text key={line.key} bold={line.heading} wrap="truncate-end">
								{line.text}
							</Text>
						))}
					</Box>
				))}
			</Box>
		</Box>
	);
}

export default memo(HelpOverlay);
