// The Mesh view in place of the four panes: the brokers of the event mesh,
// every link direction with its state and figures, and per topic where its
// interest is (mesh-lines.ts says what; this draws as many lines as fit).
// Without --mesh or a topology it says how to turn it on.
import {Box, Text} from 'ink';
import React, {memo} from 'react';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import {meshLines, type Tone} from '../mesh-lines.js';
import type {DashboardState} from '../store/types.js';

type Props = {width: number; height: number};

const selectMesh = (state: DashboardState) => state.mesh;

const toneColor: Record<Exclude<Tone, undefined>, string> = {good: 'green', bad: 'red', warn: 'yellow', title: 'cyan'};

function MeshScreen({width, height}: Props) {
	const mesh = useStore(selectMesh);
	const {color} = useTheme();
	if (!mesh.enabled) {
		return (
			<Box flexDirection="column" width={width} height={height}>
				<Text bold color={color('cyan')}>
					Event mesh
				</Text>
				<Text wrap="wrap">
					This dashboard was started without the mesh. Start it with --mesh to show the figures eda mesh keeps on this Redis, or with the mesh's own topology (--config
					mesh.json, or --broker name=redis://… --link a-b) to see every broker answer too.
				</Text>
			</Box>
		);
	}
	const lines = meshLines(mesh, width);
	const shown = lines.length > height ? [...lines.slice(0, height - 1), {key: 'more', text: `… ${lines.length - height + 1} more lines (a taller terminal shows them)`}] : lines;
	return (
		<Box flexDirection="column" width={width} height={height}>
			{shown.map((line) => (
				<Text key={line.key} wrap="truncate-end" bold={'bold' in line ? line.bold : false} color={'tone' in line && line.tone ? color(toneColor[line.tone]) : undefined}>
					{line.text}
				</Text>
			))}
		</Box>
	);
}

export default memo(MeshScreen);
