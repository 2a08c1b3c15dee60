import {Box, Text} from 'ink';
import React, {memo} from 'react';
import useTheme from '../hooks/use-theme.js';
import {keymap, type Binding} from '../keymap.js';
import {paneTitles} from '../store/types.js';

type Props = {width: number; height: number};

export type HelpLine = {key: string; text: string; heading: boolean};

/** Room for the keys column ("Shift-Tab") and the space after it. */
const keyWidth = 10;
/** Between two columns of keys. */
const gap = 2;

function scopeTitle(scope: Binding['scope']): string {
	return scope === 'global' ? 'Everywhere' : `In ${paneTitles[scope]}`;
}

/** Words onto lines of at most `width` characters (a longer word is cut). */
export function wrapWords(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		const next = line ? `${line} ${word}` : word;
		if (next.length <= width) line = next;
		else {
			if (line) lines.push(line);
			line = word.length <= width ? word : `${word.slice(0, Math.max(0, width - 1))}…`;
		}
	}
	lines.push(line);
	return lines;
}

/**
 * The help as columns of whole lines: headings, then each key with its label
 * wrapped under itself, never cut. As many columns (up to two) as the height
 * needs; an entry is never split between columns.
 */
export function helpColumns(width: number, rows: number): HelpLine[][] {
	const sections: {title: string; entries: {show: string; label: string}[]}[] = [];
	for (const scope of [...new Set(keymap.map((b) => b.scope))]) {
		sections.push({title: scopeTitle(scope), entries: keymap.filter((b) => b.scope === scope).map((b) => ({show: b.show, label: b.label}))});
	}
	sections.push({title: 'In text fields', entries: [{show: 'Esc', label: 'cancel; letters type, only Ctrl-C quits'}]});
	const layout = (columns: number): HelpLine[][] => {
		const columnWidth = Math.floor((width - gap * (columns - 1)) / columns);
		const blocks: HelpLine[][] = [];
		sections.forEach((section, s) => {
			const heading: HelpLine = {key: `h-${section.title}`, text: section.title, heading: true};
			section.entries.forEach((entry, e) => {
				const wrapped = wrapWords(entry.label, columnWidth - keyWidth).map((part, i) => ({
					key: `${section.title}-${entry.show}-${i}`,
					text: `${(i === 0 ? entry.show : '').padEnd(keyWidth)}${part}`,
					heading: false,
				}));
				// A heading stays with its first entry; a blank line before each section but the first.
				const lead: HelpLine[] = e > 0 ? [] : s > 0 ? [{key: `gap-${section.title}`, text: '', heading: false}, heading] : [heading];
				blocks.push([...lead, ...wrapped]);
			});
		});
		const out: HelpLine[][] = [[]];
		for (const block of blocks) {
			let column = out.at(-1) ?? [];
			if (column.length > 0 && column.length + block.length > rows && out.length < columns) {
				column = [];
				out.push(column);
			}
			// No blank line at the top of a column.
			column.push(...(column.length === 0 && block[0]?.text === '' ? block.slice(1) : block));
		}
		return out;
	};
	const one = layout(1);
	return (one[0]?.length ?? 0) <= rows ? one : layout(2);
}

/** Every key, listed from the same table dispatch uses. */
function HelpOverlay({width, height}: Props) {
	const {color} = useTheme();
	const inner = width - 4;
	// Inside: the borders and the title line.
	const columns = helpColumns(inner, height - 3);
	const columnWidth = Math.floor((inner - gap * (columns.length - 1)) / columns.length);
	return (
		<Box flexDirection="column" borderStyle="double" borderColor={color('cyan')} width={width} height={height} paddingX={1}>
			<Text bold>Keys (? Esc or q closes)</Text>
			<Box gap={gap} overflowY="hidden">
				{columns.map((lines, c) => (
					<Box key={c} flexDirection="column" width={columnWidth}>
						{lines.map((line) => (
							<Text key={line.key} bold={line.heading} wrap="truncate-end">
								{line.text || ' '}
							</Text>
						))}
					</Box>
				))}
			</Box>
		</Box>
	);
}

export default memo(HelpOverlay);
