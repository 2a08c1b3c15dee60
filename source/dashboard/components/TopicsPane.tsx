import {Box, Text} from 'ink';
import React, {memo} from 'react';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import {sparkline} from '../store/topic-stats.js';
import type {DashboardState, TopicRow} from '../store/types.js';
import {count, cut, pad, padStart, rate} from '../../text/index.js';
import Pane from './Pane.js';

type Props = {width: number; height: number};

const selectTopics = (state: DashboardState) => state.topics;
const selectView = (state: DashboardState) => ({
	focused: state.ui.focus === 'topics',
	filter: state.ui.filters.topics,
	selected: state.ui.selection.topics,
	producerUrl: state.status.producerUrl,
	tokenRequired: state.status.tokenRequired,
});

export function visibleTopics(topics: TopicRow[], filter: string): TopicRow[] {
	const needle = filter.toLowerCase();
	return needle ? topics.filter((topic) => topic.name.toLowerCase().includes(needle)) : topics;
}

/** Column widths: name and sparkline share what the fixed columns leave. */
function columns(inner: number) {
	const fixed = 2 + 6 + 1 + 5 + 1 + 4;
	const room = inner - fixed;
	const spark = Math.max(6, Math.min(60, Math.floor(room * 0.4)));
	return {name: room - spark, spark};
}

type RowProps = {topic: TopicRow; selected: boolean; inner: number};

/** One topic in two lines: numbers, then groups and the last payload. Memoized: redrawn only when its row changes. */
const TopicLine = memo(function TopicLine({topic, selected, inner}: RowProps) {
	const {color} = useTheme();
	const widths = columns(inner);
	const total = topic.stored ?? topic.seen;
	const groups = topic.groups.map((g) => `${g.name} lag ${g.lag ?? '?'}`).join(', ');
	const detail = [topic.subscribedHere ? 'subscribed here' : '', groups ? `groups: ${groups}` : '', topic.last ? `last: ${topic.last}` : ''].filter(Boolean).join(' · ');
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end" bold={selected} inverse={selected}>
				{selected ? '›' : ' '} {pad(topic.name, widths.name)}
				{padStart(count(total), 6)} {padStart(rate(topic.rate), 5)} <Text color={color('green')}>{sparkline(topic.history, widths.spark)}</Text>
				{padStart(String(topic.subscribers), 4)}
			</Text>
			<Text wrap="truncate-end" dimColor>
				{'   '}
				{cut(detail || 'no payload seen yet', inner - 3)}
			</Text>
		</Box>
	);
});

function TopicsPane({width, height}: Props) {
	const topics = useStore(selectTopics);
	const view = useStore(selectView);
	const inner = width - 2;
	const rows = height - 2;
	const shown = visibleTopics(topics, view.filter);
	const perPage = Math.max(1, Math.floor((rows - 1) / 2));
	const selected = Math.min(view.selected, Math.max(0, shown.length - 1));
	const first = Math.max(0, Math.min(selected - perPage + 1, shown.length - perPage));
	const page = shown.slice(Math.max(0, first), Math.max(0, first) + perPage);
	const widths = columns(inner);
	const extra = [view.filter ? `/${cut(view.filter, 20)}` : '', shown.length > perPage ? `${selected + 1}/${shown.length}` : ''].filter(Boolean).join(' ');
	return (
		<Pane number={1} title="Topics" extra={extra} focused={view.focused} width={width} height={height}>
			<Text wrap="truncate-end" bold>
				{'  '}
				{pad('topic', widths.name)}
				{padStart('total', 6)} {padStart('/s', 5)} {pad(widths.spark >= 11 ? 'last minute' : '1 min', widths.spark)}
				{padStart('subs', 4)}
			</Text>
			{shown.length === 0 ? (
				<Text wrap="wrap" dimColor>
					{view.filter
						? `No topic matches "${cut(view.filter, 30)}". Esc clears the filter.`
						: `No topics yet. Press n to publish, or: curl -X POST -H 'Content-Type: application/json' ${view.tokenRequired ? `-H "Authorization: Bearer $EDA_TOKEN" ` : ''}-d '{"order_id":123}' ${view.producerUrl ?? 'http://127.0.0.1:3000'}/topics/orderCreated`}
				</Text>
			) : (
				page.map((topic) => <TopicLine key={topic.name} topic={topic} selected={view.focused && topic.name === shown[selected]?.name} inner={inner} />)
			)}
		</Pane>
	);
}

export default memo(TopicsPane);
