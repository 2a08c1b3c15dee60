import {Box, Text} from 'ink';
import React, {memo} from 'react';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import {bindingsFor, scopeTitle} from '../keymap.js';
import {wrap} from '../../text/index.js';
import type {DashboardState, LabState, View} from '../store/types.js';

type Props = {width: number; height: number};

export type HelpLine = {key: string; text: string; heading: boolean};

export type HelpSection = {title: string; entries: {show: string; label: string}[]};

/** Room for the keys column ("Shift-Tab") and the space after it. */
const keyWidth = 10;
/** Between two columns of keys. */
const gap = 2;

/**
 * What help lists in a view: the keymap's bindings that work there, and in
 * the Labs view the running lab's own keys (its actions table); in the panes,
 * the text fields' rule.
 */
export function helpSections(view: View, lab?: LabState): HelpSection[] {
	const sections: HelpSection[] = bindingsFor(view).map(({scope, bindings}) => ({
		title: scopeTitle(scope),
		entries: bindings.map((b) => ({show: b.show, label: b.label})),
	}));
	if (view === 'labs' && lab?.phase === 'running' && lab.snapshot) {
		sections.push({title: `In the ${lab.snapshot.lab} lab`, entries: lab.snapshot.actions.map((a) => ({show: a.key, label: a.label}))});
	}
	if (view === 'panes') sections.push({title: 'In text fields', entries: [{show: 'Esc', label: 'cancel (letters type there)'}]});
	return sections;
}

/**
 * The help as columns of whole lines: headings, then each key with its label
 * wrapped under itself, never cut. As many columns (up to two) as the height
 * needs; an entry is never split between columns.
 */
export function helpColumns(width: number, rows: number, sections: HelpSection[] = helpSections('panes')): HelpLine[][] {
	const layout = (columns: number): HelpLine[][] => {
		const columnWidth = Math.floor((width - gap * (columns - 1)) / columns);
		const blocks: HelpLine[][] = [];
		sections.forEach((section, s) => {
			const heading: HelpLine = {key: `h-${section.title}`, text: section.title, heading: true};
			section.entries.forEach((entry, e) => {
				const wrapped = wrap(entry.label, columnWidth - keyWidth).map((part, i) => ({
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

const selectView = (state: DashboardState) => state.ui.view;
/** The lab's keys come with its snapshot: help redraws with it (about once a second, only while open over Labs). */
const selectLab = (state: DashboardState) => (state.ui.view === 'labs' ? state.lab : undefined);

/** Every key that works here, listed from the same table dispatch uses. */
function HelpOverlay({width, height}: Props) {
	const {color} = useTheme();
	const view = useStore(selectView);
	const lab = useStore(selectLab);
	const inner = width - 4;
	// Inside: the borders and the title line.
	const columns = helpColumns(inner, height - 3, helpSections(view, lab));
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
