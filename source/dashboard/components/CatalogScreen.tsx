// The Catalog view in place of the four panes: every topic the portal knows
// (inferred from traffic, declared through eda portal register), then on
// Enter the selected topic's schema as a tree and the diff of its last change.
// Markers (+ - ~) say what changed in any terminal; colour only adds to them.
import {Box, Text} from 'ink';
import React, {memo} from 'react';
import {diffLines, schemaTree, type Marker} from '../catalog-lines.js';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import type {CatalogRow} from '../store/catalog.js';
import type {DashboardState} from '../store/types.js';
import {count, cut, pad, padStart, rate} from '../../text/index.js';

type Props = {width: number; height: number};

const selectCatalog = (state: DashboardState) => state.catalog;
const selectUi = (state: DashboardState) => state.ui.catalog;

const markerColor: Record<Marker, string | undefined> = {'+': 'green', '-': 'red', '~': 'yellow', ' ': undefined};
const modeColor = {none: 'gray', enforce: 'green', warn: 'yellow'} as const;

/** A marker's colour, or none (an unchanged line, or colour off). */
function paint(color: (name: string) => string | undefined, marker: Marker): string | undefined {
	const name = markerColor[marker];
	return name ? color(name) : undefined;
}

/** Consumers in a few words: groups with their lag, live subscribers, then consumer actors by heartbeat. */
function consumersText({groups, subscribers, actors}: CatalogRow['consumers']): string {
	const parts = groups.map((g) => `${g.name} lag ${g.lag ?? '?'}`);
	if (subscribers > 0) parts.push(`${subscribers} sub${subscribers === 1 ? '' : 's'}`);
	if (actors.length > 0) parts.push(`${actors.length} actor${actors.length === 1 ? '' : 's'}`);
	return parts.join(', ') || '—';
}

function producersText(row: CatalogRow): string {
	return row.producers.map((p) => `${p.name} ${count(p.count)}`).join(', ') || '—';
}

function versionText(row: CatalogRow): string {
	const inferred = row.version > 0 ? `v${row.version}` : '—';
	return row.declaredVersion === undefined ? inferred : `${inferred} d${row.declaredVersion}`;
}

/** Column widths: the topic, producers, consumers and flags share what the fixed columns leave. */
function columns(width: number) {
	const fixed = 2 + 8 + 1 + 6 + 1 + 8;
	const room = Math.max(20, width - fixed);
	const topic = Math.max(8, Math.floor(room * 0.2));
	const producers = Math.max(6, Math.floor(room * 0.22));
	const consumers = Math.max(6, Math.floor(room * 0.22));
	return {topic, producers, consumers, flags: Math.max(4, room - topic - producers - consumers)};
}

function List({rows, selected, width, height}: {rows: CatalogRow[]; selected: number; width: number; height: number}) {
	const {color} = useTheme();
	const w = columns(width);
	const perPage = Math.max(1, height - 1);
	const first = Math.max(0, Math.min(selected - perPage + 1, rows.length - perPage));
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end" bold>
				{'  '}
				{pad('topic', w.topic)}
				{pad('version', 8)} {padStart('/s', 6)} {pad('mode', 8)}
				{pad('producers', w.producers)}
				{pad('consumers', w.consumers)}
				{pad('flags', w.flags)}
			</Text>
			{rows.slice(first, first + perPage).map((row) => {
				const isSelected = row.key === rows[selected]?.key;
				return (
					<Text key={row.key} wrap="truncate-end" inverse={isSelected} bold={isSelected}>
						{isSelected ? '› ' : '  '}
						{pad(row.key, w.topic - 1)} {pad(versionText(row), 8)} {padStart(rate(row.rate), 6)}{' '}
						<Text color={color(modeColor[row.mode])}>{pad(row.mode, 8)}</Text>
						{pad(producersText(row), w.producers - 1)} {pad(consumersText(row.consumers), w.consumers - 1)}{' '}
						<Text color={row.flags.length > 0 ? color('red') : undefined}>{pad(row.flags.join(', ') || 'ok', w.flags)}</Text>
					</Text>
				);
			})}
		</Box>
	);
}

function Detail({row, width, height}: {row: CatalogRow; width: number; height: number}) {
	const {color} = useTheme();
	const tree = schemaTree(row.schema, row.lastChange);
	const diff = row.lastChange ? diffLines(row.lastChange) : [];
	const declared = row.declaredVersion === undefined ? 'not declared' : `declared v${row.declaredVersion}, ${row.mode}, ${row.compat ?? 'backward'}`;
	const header = [
		`${row.key} · ${row.version > 0 ? `inferred v${row.version}` : 'nothing seen'} (${declared})`,
		`producers: ${producersText(row)} · consumers: ${consumersText(row.consumers)} · flags: ${row.flags.join(', ') || 'none'}`,
		// Why it is flagged, in the audit's words (the first finding; eda portal audit lists them all).
		...(row.findings[0] ? [`audit: ${row.findings[0]}${row.findings.length > 1 ? ` (+${row.findings.length - 1} more)` : ''}`] : []),
	];
	// The diff keeps its room first (it is what changed); the tree takes the rest.
	const diffRoom = diff.length === 0 ? 1 : Math.min(diff.length, Math.max(3, Math.floor((height - 4) / 2)));
	const treeRoom = Math.max(1, height - header.length - 2 - diffRoom - 1);
	const treeShown = tree.length > treeRoom ? tree.slice(0, treeRoom - 1) : tree;
	const change = row.lastChange;
	return (
		<Box flexDirection="column" width={width} height={height}>
			{header.map((line) => (
				<Text key={line} wrap="truncate-end" bold={line === header[0]}>
					{cut(line, width)}
				</Text>
			))}
			<Text wrap="truncate-end" bold>
				Schema ({row.version > 0 ? 'inferred: open content model, other fields may come' : 'declared'}){row.nonJson ? ' · non-JSON payloads seen' : ''}
			</Text>
			{treeShown.map((line) => (
				<Text key={line.pointer || '(root)'} wrap="truncate-end" color={paint(color, line.marker)}>
					{line.marker} {'  '.repeat(line.indent)}
					{cut(line.name, Math.max(4, width - 30 - line.indent * 2))}: {line.type}
					{line.required && line.indent > 0 ? ' (required)' : ''}
				</Text>
			))}
			{tree.length > treeShown.length ? <Text dimColor>… {tree.length - treeShown.length} more fields</Text> : null}
			<Text wrap="truncate-end" bold>
				{change ? `Last change: to v${change.version}` : 'No change yet: this is the first version'}
			</Text>
			{diff.slice(0, diffRoom).map((line, i) => (
				<Text key={`${i}-${line.path}`} wrap="truncate-end" color={paint(color, line.marker)}>
					{line.marker} {line.path ? `${cut(line.path, Math.floor(width / 3))}  ` : ''}
					{cut(line.text, width)}
				</Text>
			))}
		</Box>
	);
}

function CatalogScreen({width, height}: Props) {
	const catalog = useStore(selectCatalog);
	const ui = useStore(selectUi);
	const {color} = useTheme();
	const selected = Math.min(ui.selected, Math.max(0, catalog.rows.length - 1));
	const row = catalog.rows[selected];
	const flagged = catalog.rows.filter((r) => r.flags.length > 0).length;
	const title = `Event catalog: ${catalog.rows.length} topic${catalog.rows.length === 1 ? '' : 's'}${flagged ? `, ${flagged} flagged` : ''}`;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text wrap="truncate-end" bold color={color('cyan')}>
				{title}
				{catalog.rows.length > height - 3 ? ` (${selected + 1}/${catalog.rows.length})` : ''}
			</Text>
			{catalog.error ? (
				<Text wrap="truncate-end" color={color('red')}>
					✗ {cut(catalog.error, width - 2)}
				</Text>
			) : null}
			{!catalog.loaded ? (
				<Text dimColor>Reading the catalog…</Text>
			) : catalog.rows.length === 0 ? (
				<Text wrap="wrap" dimColor>
					No topics in the catalog yet. The portal infers each topic's schema from its events: publish one (n on the main screen), or run eda portal scan for
					what the streams already hold. Declare a schema with eda portal register.
				</Text>
			) : ui.open && row ? (
				<Detail row={row} width={width} height={height - 1 - (catalog.error ? 1 : 0)} />
			) : (
				<List rows={catalog.rows} selected={selected} width={width} height={height - 1 - (catalog.error ? 1 : 0)} />
			)}
		</Box>
	);
}

export default memo(CatalogScreen);
