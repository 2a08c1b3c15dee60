import {Box, Text} from 'ink';
import React, {memo, type ReactNode} from 'react';
import useTheme from '../hooks/use-theme.js';

type Props = {
	number: number;
	title: string;
	/** Extra words for the title line (filter, PAUSED +N). */
	extra?: string;
	focused: boolean;
	width: number;
	height: number;
	children: ReactNode;
};

/**
 * A bordered pane whose top border carries its number and title. Focus is
 * marked by a double border and ▶ ◀ around the title, so it reads without
 * colour too; colour only adds to it.
 */
function Pane({number, title, extra, focused, width, height, children}: Props) {
	const {color} = useTheme();
	const label = focused ? `▶ ${number} ${title} ◀` : ` ${number} ${title} `;
	const tail = extra ? ` ${extra} ` : '';
	const line = focused ? '═' : '─';
	const fill = Math.max(0, width - 3 - label.length - tail.length);
	const borderColor = focused ? color('cyan') : color('gray');
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end">
				<Text color={borderColor}>{focused ? '╔' : '┌'}{line}</Text>
				<Text bold={focused}>{label}</Text>
				<Text color={color('yellow')}>{tail}</Text>
				<Text color={borderColor}>{line.repeat(fill)}{focused ? '╗' : '┐'}</Text>
			</Text>
			{/* Keyed by focus: Ink 6.8 re-applies a changed borderStyle without
			    borderTop={false}, which would push the content down a row.
			    Clipped vertically only: rows are cut to the width already
			    (truncate-end), and a horizontal clip makes Ink slice every
			    line of the pane again on every frame. */}
			<Box
				key={focused ? 'focused' : 'plain'}
				borderStyle={focused ? 'double' : 'single'}
				borderTop={false}
				borderColor={borderColor}
				flexDirection="column"
				width={width}
				height={height - 1}
				overflowY="hidden"
			>
				{children}
			</Box>
		</Box>
	);
}

export default memo(Pane);
