// The Labs view in place of the four panes: the picker before a lab runs,
// then the running lab as the labs draw it (source/labs/view). Loaded only
// when the view first opens: the lab views bring the labs' registry (express),
// which must not load before the first frame.
import {Box, Text} from 'ink';
import React, {memo} from 'react';
import {LabPicker, LabsView} from '../../labs/view/index.js';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import {labOrder} from '../lab-names.js';
import type {DashboardState} from '../store/types.js';
import {cut} from '../../text/index.js';

type Props = {width: number; height: number};

const selectLab = (state: DashboardState) => state.lab;
const selectLabsUi = (state: DashboardState) => state.ui.labs;
const selectProducer = (state: DashboardState) => state.status.producerUrl;

/** Under the picker: where the lab runs, and what leaving does. */
function notes(producerUrl: string | undefined): string[] {
	return [
		`A lab runs in this dashboard, its routes (POST /orders, /commands/*, GET /queries/*, GET /portal) on this producer${producerUrl ? ` (${producerUrl})` : ''}, its lines in the Log.`,
		'Esc or q leaves Labs and stops the lab.',
		"The deferred lab pauses this dashboard's own master and workers while it runs: they share message:queue.",
	];
}

function LabsScreen({width, height}: Props) {
	const lab = useStore(selectLab);
	const ui = useStore(selectLabsUi);
	const producerUrl = useStore(selectProducer);
	const {color, colorOn} = useTheme();
	if (lab.phase === 'running' && lab.snapshot) {
		if (!lab.error) return <LabsView snapshot={lab.snapshot} width={width} height={height} colorOn={colorOn} explain={ui.explain} />;
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Text wrap="truncate-end" color={color('red')}>
					✗ {cut(lab.error, width)} (the last picture stands)
				</Text>
				<LabsView snapshot={lab.snapshot} width={width} height={height - 1} colorOn={colorOn} explain={ui.explain} />
			</Box>
		);
	}
	if (lab.phase !== 'idle') {
		const doing = lab.phase === 'stopping' ? 'Stopping' : 'Starting';
		return (
			<Box width={width} height={height}>
				<Text wrap="truncate-end">
					{doing} the {lab.name} lab…
				</Text>
			</Box>
		);
	}
	const picker = labOrder.length + 1;
	return (
		<Box flexDirection="column" width={width} height={height}>
			<LabPicker width={width} height={picker} selected={labOrder[ui.selected]} colorOn={colorOn} />
			<Text> </Text>
			{notes(producerUrl).map((line) => (
				<Text key={line} wrap="wrap" dimColor>
					{line}
				</Text>
			))}
			{lab.error ? (
				<Text wrap="wrap" color={color('red')}>
					✗ The {lab.name} lab did not start: {cut(lab.error, width * 2)}
				</Text>
			) : null}
		</Box>
	);
}

export default memo(LabsScreen);
