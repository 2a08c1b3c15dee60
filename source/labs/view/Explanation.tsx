import {Box, Text} from 'ink';
import React from 'react';
import {wrap} from '../../text/index.js';

type Props = {paragraphs: string[]; width: number; height: number};

/** The lab's explanation, wrapped and cut to its box; a cut says how to see the rest. */
export default function Explanation({paragraphs, width, height}: Props) {
	const lines: string[] = [];
	paragraphs.forEach((p, i) => {
		if (i > 0) lines.push('');
		lines.push(...wrap(p, width));
	});
	const cut = lines.length > height;
	const shown = cut ? [...lines.slice(0, Math.max(0, height - 1)), '… (e: the whole explanation)'] : lines;
	return (
		<Box flexDirection="column" width={width} height={Math.min(height, shown.length)}>
			{shown.slice(0, height).map((line, i) => (
				<Text key={i} wrap="truncate" dimColor={cut && i === shown.length - 1}>
					{line === '' ? ' ' : line}
				</Text>
			))}
		</Box>
	);
}
