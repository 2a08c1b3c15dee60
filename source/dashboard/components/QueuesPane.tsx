import {Text} from 'ink';
import React, {memo} from 'react';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import type {DashboardState, Stage} from '../store/types.js';
import {bar, count, duration, pad, padStart, rate} from '../../text/index.js';
import Pane from './Pane.js';

type Props = {width: number; height: number};

export const stageLabels: Record<Stage['name'], string> = {scheduled: 'scheduled', ready: 'ready', inflight: 'in flight', dead: 'dead'};
const trendMark: Record<Stage['trend'], string> = {growing: '↑', draining: '↓', steady: ' '};

const selectStages = (state: DashboardState) => state.stages;
const selectView = (state: DashboardState) => ({
	focused: state.ui.focus === 'queues',
	oldestReadyMs: state.oldestReadyMs,
	done: state.counters.done,
});
const selectNamed = (state: DashboardState) => state.namedQueues;

const StageLine = memo(function StageLine({stage, max, barWidth}: {stage: Stage; max: number; barWidth: number}) {
	const {color} = useTheme();
	const barColor = stage.name === 'dead' ? color('red') : stage.name === 'inflight' ? color('yellow') : color('blue');
	return (
		<Text wrap="truncate-end">
			{pad(stageLabels[stage.name], 9)} {padStart(count(stage.count), 6)} <Text color={barColor}>{bar(stage.count, max, barWidth)}</Text>{' '}
			{padStart(rate(stage.inRate), 5)} {padStart(rate(stage.outRate), 5)} {trendMark[stage.trend]}
		</Text>
	);
});

/** Each stage of the deferred path with its size, a bar, in/out rates and whether it drains or grows. */
function QueuesPane({width, height}: Props) {
	const stages = useStore(selectStages);
	const view = useStore(selectView);
	const named = useStore(selectNamed) ?? [];
	const inner = width - 2;
	const barWidth = Math.max(3, inner - 31);
	const max = Math.max(1, ...stages.map((stage) => stage.count));
	const moving = stages.filter((stage) => stage.trend !== 'steady').map((stage) => `${stageLabels[stage.name]} ${stage.trend}`);
	const summary = [
		view.oldestReadyMs === undefined ? '' : `oldest ready ${duration(view.oldestReadyMs)}`,
		...moving,
	].filter(Boolean);
	return (
		<Pane number={2} title="Queues" extra={`done ${count(view.done)}`} focused={view.focused} width={width} height={height}>
			<Text wrap="truncate-end" bold>
				{pad('stage', 9)} {padStart('count', 6)} {pad('', barWidth)} {padStart('in/s', 5)} {padStart('out/s', 5)}
			</Text>
			{stages.map((stage) => (
				<StageLine key={stage.name} stage={stage} max={max} barWidth={barWidth} />
			))}
			{named.map((queue) => (
				<Text key={queue.name} wrap="truncate-end">
					{pad(`queue ${queue.name}`, 20)} sched {count(queue.counts.scheduled)} ready {count(queue.counts.ready)} flight {count(queue.counts.inflight)} dead {count(queue.counts.dead)}
				</Text>
			))}
			<Text wrap="truncate-end" dimColor>
				{summary.length > 0 ? summary.join(' · ') : 'all stages steady'}
			</Text>
		</Pane>
	);
}

export default memo(QueuesPane);
