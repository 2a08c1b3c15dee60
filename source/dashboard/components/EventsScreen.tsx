// The Events view in place of the four panes: one topic's events newest first
// (following new ones while at the top), the filter's progress and matches
// highlighted, an event whole with its payload coloured, a trace as its
// causation tree, the topic's consumer groups, or the deferred events. Text
// comes sanitised from events-lines.ts; colour only adds to markers.
import {Box, Text} from 'ink';
import React from 'react';
import {highlightTerms, parseFilter} from '../../browser/filter.js';
import {payloadLine} from '../../browser/format.js';
import {clock, deferredLines, envelopeLines, groupLines, highlight, traceText, type Line, type PieceKind} from '../events-lines.js';
import useDashboard from '../hooks/use-dashboard.js';
import useNow from '../hooks/use-now.js';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import {claimIdleMs, type BrowseState} from '../store/browse.js';
import {sparkline} from '../store/topic-stats.js';
import type {DashboardState} from '../store/types.js';
import {count, cut, duration, pad, rate} from '../../text/index.js';
import AskLine from './AskLine.js';

type Props = {width: number; height: number};

const selectBrowse = (state: DashboardState) => state.browse;

const pieceColor: Record<PieceKind, string | undefined> = {key: 'cyan', string: 'green', number: 'yellow', literal: 'magenta', punct: undefined, label: 'blue', plain: undefined, match: 'yellow'};

function Pieces({line}: {line: Line}) {
	const {color} = useTheme();
	return (
		<Text wrap="truncate-end">
			{line.map((piece, i) => (
				<Text key={i} color={pieceColor[piece.kind] ? color(pieceColor[piece.kind] as string) : undefined} bold={piece.kind === 'label' || piece.kind === 'match'} underline={piece.kind === 'match'}>
					{piece.text}
				</Text>
			))}
		</Text>
	);
}

/** Lines from `scroll`, as many as fit; the scroll is clamped so the last page stays full. */
function Scrolled({lines, scroll, height}: {lines: Line[]; scroll: number; height: number}) {
	const first = Math.max(0, Math.min(scroll, lines.length - height));
	return (
		<Box flexDirection="column">
			{lines.slice(first, first + height).map((line, i) => (
				<Pieces key={first + i} line={line} />
			))}
		</Box>
	);
}

function terms(browse: BrowseState): string[] {
	if (!browse.filter) return [];
	try {
		return highlightTerms([parseFilter(browse.filter.text)]);
	} catch {
		return [];
	}
}

/** The topic's rate over the last 15 minutes, kept by this process since it started. */
function RateChart({topic, width}: {topic: string; width: number}) {
	const {store} = useDashboard();
	const {color} = useTheme();
	useNow(1000);
	const rates = store.longRates.perSecond(topic);
	const top = Math.max(...rates);
	const spark = Math.max(10, Math.min(90, width - 40));
	return (
		<Text wrap="truncate-end">
			{'rate, 15 min: '}
			<Text color={color('green')}>{sparkline(rates, spark)}</Text>
			{` peak ${rate(top)}/s, now ${rate(rates.at(-2) ?? 0)}/s`}
		</Text>
	);
}

function List({browse, width, height}: {browse: BrowseState; width: number; height: number}) {
	const words = terms(browse);
	const perPage = Math.max(1, height);
	const first = Math.max(0, Math.min(browse.selected - Math.floor(perPage / 2), browse.events.length - perPage));
	const rest = Math.max(10, width - 2 - 12 - 1 - 16 - 1 - 14 - 1);
	if (browse.events.length === 0) {
		const why = browse.loading ? 'reading…' : browse.filter?.running ? 'searching…' : browse.filter ? 'no event matches the filter' : 'no events retained on this topic';
		return <Text dimColor>{`  ${why}`}</Text>;
	}
	return (
		<Box flexDirection="column">
			{browse.events.slice(first, first + perPage).map((event, i) => {
				const selected = first + i === browse.selected;
				const head = `${selected ? '› ' : '  '}${clock(event.ms)} ${pad(event.entryId, 16)} ${pad(event.envelope.id, 14)} `;
				const tail = `${event.envelope.source}${event.envelope.correlationid ? ` corr=${event.envelope.correlationid}` : ''} ${payloadLine(event)}`;
				return (
					<Text key={event.entryId} wrap="truncate-end" bold={selected} inverse={selected}>
						{head}
						<Pieces line={highlight(cut(tail, rest), words)} />
					</Text>
				);
			})}
		</Box>
	);
}

function filterLine(browse: BrowseState): string {
	const f = browse.filter;
	if (!f) return `newest first · ${browse.selected === 0 ? 'following new events' : 'scrolled: not following (g to the top)'}`;
	const progress = `${count(f.scanned)} of ${count(f.total)} read`;
	return `filter ${f.text} · ${count(browse.events.length)} match(es) · ${progress}${f.running ? ' · searching (Esc stops)' : f.scanned < f.total && browse.more ? ' · more below' : ''}`;
}

export default function EventsScreen({width, height}: Props) {
	const browse = useStore(selectBrowse);
	const ask = browse.ask ? 1 : 0;
	const body = Math.max(1, height - 3 - ask);
	let title: string;
	let content: React.ReactNode;
	if (browse.mode === 'list') {
		title = `Events · ${browse.topic} · ${count(browse.retained)} retained`;
		content = (
			<>
				<RateChart topic={browse.topic} width={width} />
				<List browse={browse} width={width} height={body - 1} />
			</>
		);
	} else if (browse.mode === 'event') {
		const event = browse.events[browse.selected];
		title = `Event · ${browse.topic} · ${event?.entryId ?? ''} (↑↓ scroll · t trace · r republish · Esc back)`;
		content = event ? <Scrolled lines={envelopeLines(event, width)} scroll={browse.scroll} height={body} /> : <Text dimColor>the event is gone</Text>;
	} else if (browse.mode === 'trace') {
		const t = browse.trace;
		title = `Trace · correlation id ${t?.correlationId ?? ''}`;
		const rows = t ? t.rows.map((row) => highlight(`${traceText(row)}  ${payloadLine(row.event)}`, [])) : [];
		content = <Scrolled lines={rows} scroll={browse.scroll} height={body} />;
	} else if (browse.mode === 'groups') {
		title = `Consumer groups · ${browse.topic} (c on a group: claim entries idle ≥ ${duration(claimIdleMs)})`;
		const lines: Line[] = [];
		(browse.groups ?? []).forEach((group, i) =>
			groupLines(group).forEach((text, j) => lines.push([{text: `${j === 0 && i === browse.selected ? '› ' : '  '}${text}`, kind: j === 0 ? 'label' : 'plain'}])),
		);
		if (lines.length === 0 && !browse.loading) lines.push([{text: '  no consumer groups on this topic', kind: 'plain'}]);
		content = <Scrolled lines={lines} scroll={0} height={body} />;
	} else if (browse.mode === 'deferred') {
		title = 'Deferred · dead and scheduled (Enter opens · R retry · A retry all dead · X delete)';
		const list = browse.deferred ?? [];
		content =
			list.length === 0 ? (
				<Text dimColor>{browse.loading ? '  reading…' : '  no dead or scheduled events'}</Text>
			) : (
				<Box flexDirection="column">
					{list.slice(0, body).map((event, i) => (
						<Text key={event.id} wrap="truncate-end" inverse={i === browse.selected} bold={i === browse.selected}>
							{`${i === browse.selected ? '› ' : '  '}${pad(`#${event.id}`, 8)} ${pad(event.state, 10)} attempts ${pad(String(event.attempts), 3)} `}
							{cut(`${event.lastError ? `${event.lastError} · ` : ''}${event.body}`, width - 40)}
						</Text>
					))}
				</Box>
			);
	} else {
		const event = browse.deferred?.[browse.selected];
		title = `Deferred event #${event?.id ?? ''} (R retry · X delete · Esc back)`;
		content = event ? <Scrolled lines={deferredLines(event, width)} scroll={browse.scroll} height={body} /> : <Text dimColor>the event is gone</Text>;
	}
	const status =
		browse.mode === 'trace' && browse.trace
			? `${browse.trace.rows.length} event(s) · ${count(browse.trace.scanned)} read in ${browse.trace.topics} topic(s)${browse.trace.running ? ' · tracing (Esc stops)' : ''}`
			: browse.mode === 'list'
				? filterLine(browse)
				: '';
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold wrap="truncate-end">
				{cut(title, width)}
			</Text>
			<Text dimColor wrap="truncate-end">
				{browse.error ? `✗ ${cut(browse.error, width - 2)}` : cut(status, width)}
			</Text>
			<Box flexDirection="column" height={body + 1}>
				{content}
			</Box>
			{browse.ask ? <AskLine key={browse.asked} ask={browse.ask} width={width} /> : null}
		</Box>
	);
}
