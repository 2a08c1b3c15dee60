import {Text} from 'ink';
import React, {memo} from 'react';
import type {Field} from '../text-edit.js';
import {sanitize} from '../../text/sanitize.js';

type Props = {field: Field; active: boolean; width: number; placeholder?: string};

/** A one-line field; the cursor is an inverse cell (no colour needed). Scrolls to keep the cursor in view. */
function TextField({field, active, width, placeholder}: Props) {
	const value = sanitize(field.value);
	if (value === '' && !active) return <Text dimColor>{(placeholder ?? '').slice(0, width)}</Text>;
	const start = Math.max(0, field.cursor - width + 1);
	const shown = value.slice(start, start + width);
	const at = field.cursor - start;
	if (!active) return <Text wrap="truncate-end">{shown}</Text>;
	return (
		<Text wrap="truncate-end">
			{shown.slice(0, at)}
			<Text inverse>{shown[at] ?? ' '}</Text>
			{shown.slice(at + 1)}
		</Text>
	);
}

export default memo(TextField);
