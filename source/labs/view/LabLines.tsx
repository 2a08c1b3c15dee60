import {Box, Text} from 'ink';
import React from 'react';

/**
 * The Labs view is built as lines of plain text with a style each: the line
 * builders (orders-lines.ts and the rest) are pure and easy to test, this
 * component only renders them, and the height is exact (the screen never scrolls).
 */
export type Line = {text: string; color?: string; bold?: boolean; dim?: boolean; inverse?: boolean};

type Props = {lines: Line[]; width: number; colorOn: boolean};

/** Renders prepared lines, one Text each; colour only when it is on. */
export default function LabLines({lines, width, colorOn}: Props) {
	return (
		<Box flexDirection="column" width={width}>
			{lines.map((line, i) => (
				// Lines are positional (row i of the panel), so the index is their identity.
				<Text key={i} wrap="truncate" bold={line.bold} dimColor={line.dim} inverse={line.inverse} color={colorOn ? line.color : undefined}>
					{line.text === '' ? ' ' : line.text}
				</Text>
			))}
		</Box>
	);
}
