import {Text} from 'ink';
import React from 'react';
import {minColumns, minRows} from '../layout.js';

type Props = {columns: number; rows: number};

/** One sentence instead of a broken screen. */
export default function TooSmall({columns, rows}: Props) {
	return (
		<Text wrap="wrap">
			The terminal is too small for eda ({columns}×{rows}); make it at least {minColumns}×{minRows}, or press q to quit.
		</Text>
	);
}
