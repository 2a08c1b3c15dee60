import {Text} from 'ink';
import React, {memo} from 'react';
import useStore from '../hooks/use-store.js';
import type {LogLine} from '../store/log-buffer.js';
import type {DashboardState} from '../store/types.js';
import {cells, count, cut, hardWrap, pad} from '../../text/index.js';
import useDashboard from '../hooks/use-dashboard.js';
import Pane from './Pane.js';

type Props = {width: number; height: number};

const selectView = (state: DashboardState) => ({
	version: state.logVersion,
	focused: state.ui.focus === 'log',
	filter: state.ui.filters.log,
	follow: state.ui.log.follow,
	wrap: state.ui.log.wrap,
	fromBottom: state.ui.log.fromBottom,
	pausedAtTotal: state.ui.log.pausedAtTotal,
});

const actorWidth = 11;

function time(at: number): string {
	const date = new Date(at);
	return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** A log line as screen rows: cut to the width, or wrapped onto several rows. */
export function lineRows(line: LogLine, inner: number, wrap: boolean): string[] {
	const head = `${time(line.at)} ${pad(line.actor, actorWidth)} `;
	// Cells, not characters: an actor named in CJK takes more cells than its length.
	const headCells = cells(head);
	const room = Math.max(1, inner - headCells);
	if (!wrap) return [head + cut(line.text, room)];
	return hardWrap(line.text, room).map((part, i) => (i === 0 ? head : ' '.repeat(headCells)) + part);
}

const Row = memo(function Row({text}: {text: string}) {
	return <Text wrap="truncate-end">{text}</Text>;
});

/**
 * The lines the in-process actors print, newest at the bottom. Following, it
 * shows the newest; paused (scrolling up, or `f`), it holds still and counts
 * what arrived since ("PAUSED +N").
 */
function LogPane({width, height}: Props) {
	const {store} = useDashboard();
	const view = useStore(selectView);
	const inner = width - 2;
	const rows = height - 2;
	const before = view.follow ? undefined : view.pausedAtTotal;
	let {lines, matching} = store.log.window(rows, view.fromBottom, view.filter, before);
	// Scrolled past the oldest line: show the oldest page instead of a short one.
	if (lines.length < rows && view.fromBottom > 0) ({lines, matching} = store.log.window(rows, Math.max(0, matching - rows), view.filter, before));
	const screen: {key: string; text: string}[] = [];
	for (let i = lines.length - 1; i >= 0 && screen.length < rows; i--) {
		const line = lines[i];
		if (!line) continue;
		const parts = lineRows(line, inner, view.wrap);
		for (let j = parts.length - 1; j >= 0 && screen.length < rows; j--) screen.unshift({key: `${line.id}.${j}`, text: parts[j] ?? ''});
	}
	const arrived = view.follow ? 0 : Math.max(0, store.log.total - view.pausedAtTotal);
	const extra = [
		view.follow ? 'following' : `PAUSED +${count(arrived)}`,
		view.filter ? `/${cut(view.filter, 16)} ${count(matching)}` : '',
		view.wrap ? 'wrap' : '',
	]
		.filter(Boolean)
		.join(' · ');
	return (
		<Pane number={4} title="Log" extra={extra} focused={view.focused} width={width} height={height}>
			{screen.length === 0 ? (
				<Text dimColor>{view.filter ? 'No line matches the filter. Esc clears it.' : 'Nothing printed yet.'}</Text>
			) : (
				screen.map((row) => <Row key={row.key} text={row.text} />)
			)}
		</Pane>
	);
}

export default memo(LogPane);
