import {Box, Text} from 'ink';
import React, {memo} from 'react';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import {hintLine} from '../keymap.js';
import type {DashboardState} from '../store/types.js';
import {cut} from '../../text/index.js';
import Prompt from './Prompt.js';

type Props = {width: number};

const selectStatus = (state: DashboardState) => state.status;
const selectOverlay = (state: DashboardState) => state.ui.overlay;
/** Which hint line: the panes', the Catalog's, the Mesh view's, the lab picker's, or a lab's. */
const selectHints = (state: DashboardState) => (state.ui.view === 'labs' ? (state.lab.phase === 'idle' ? 'picker' : 'lab') : state.ui.view);

/** Each hint line, from the keymap table. */
const hints = {panes: hintLine('panes'), catalog: hintLine('catalog'), events: hintLine('events'), mesh: hintLine('mesh'), picker: hintLine('labs'), lab: hintLine('labs', false)} as const;

const stateColor = {connected: 'green', connecting: 'yellow', reconnecting: 'yellow', down: 'red'} as const;
const stateText = {connected: 'connected', connecting: 'connecting…', reconnecting: 'reconnecting…', down: 'down'} as const;

/** A notice (the last action's result) shows this long in place of the hints. */
const noticeMs = 8000;

/**
 * Redis URL and state (in words, not only colour) with the round trip, the
 * producer URL, actors alive here and in other processes, then the key hints.
 */
function StatusBar({width}: Props) {
	const status = useStore(selectStatus);
	const overlay = useStore(selectOverlay);
	const which = useStore(selectHints);
	const {color} = useTheme();
	const rtt = status.rttMs === undefined || status.redisState !== 'connected' ? '' : ` ${status.rttMs < 10 ? status.rttMs.toFixed(1) : Math.round(status.rttMs)}ms`;
	const notice = status.notice && Date.now() - status.notice.at < noticeMs ? status.notice : undefined;
	return (
		<Box flexDirection="column" width={width}>
			<Text wrap="truncate-end">
				Redis {status.redisUrl ? `${cut(status.redisUrl, 40)} ` : ''}
				<Text color={color(stateColor[status.redisState])}>{stateText[status.redisState]}</Text>
				{rtt} │ producer {status.producerUrl ? cut(status.producerUrl, 40) : 'starting'}
				{status.tokenRequired ? ' (token)' : ''}
			</Text>
			<Text wrap="truncate-end">
				{/* First on its line, so a narrow terminal never cuts it off. */}
				{status.insecure ? <Text color={color('red')}>INSECURE: producer open to the network, no token (--insecure) │ </Text> : ''}
				{status.cluster ? `${status.cluster} │ ` : ''}
				actors {status.actorsHere} here, {status.actorsElsewhere} elsewhere
				{notice ? (
					<Text color={notice.error ? color('red') : color('green')}>
						{' │ '}
						{notice.error ? '✗ ' : '✓ '}
						{cut(notice.text, width)}
					</Text>
				) : (
					''
				)}
			</Text>
			{overlay === 'filter' || overlay === 'subscribe' ? (
				<Prompt kind={overlay} width={width} />
			) : (
				<Text wrap="truncate-end" dimColor>
					{hints[which]}
				</Text>
			)}
		</Box>
	);
}

export default memo(StatusBar);
