import {Box, Text} from 'ink';
import React from 'react';
import {labNames, type LabName} from '../lab.js';
import {labSummaries} from '../registry.js';
import {cut} from '../../text/index.js';

type Props = {width: number; height: number; selected?: LabName; colorOn?: boolean};

/** Which labs there are, before one runs; the selection is marked without colour too. */
export default function LabPicker({width, height, selected, colorOn = true}: Props) {
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold wrap="truncate">
				{cut('Concept labs: pick one and press Enter; it runs until you stop it.', width)}
			</Text>
			{labNames.map((name) => (
				<Text key={name} wrap="truncate" inverse={name === selected} color={colorOn && name === selected ? 'cyan' : undefined}>
					{cut(`${name === selected ? '›' : ' '} ${name.padEnd(9)} ${labSummaries[name]}`, width)}
				</Text>
			))}
		</Box>
	);
}
