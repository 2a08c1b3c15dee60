import {Box, Text} from 'ink';
import React from 'react';
import type {LabSnapshot} from '../lab.js';
import {cqrsLines} from './cqrs-lines.js';
import {deferredLines} from './deferred-lines.js';
import Explanation from './Explanation.js';
import LabLines, {type Line} from './LabLines.js';
import {cut} from '../../text/index.js';
import {ordersLines} from './orders-lines.js';
import {meshLines} from './mesh-lines.js';
import {portalLines} from './portal-lines.js';

type Props = {
	snapshot: LabSnapshot;
	width: number;
	height: number;
	colorOn?: boolean;
	/** Show the whole explanation instead of the lab (a key toggles it, e.g. `e`). */
	explain?: boolean;
};

/** Wide terminals get the explanation beside the lab; narrow ones a few lines under it. */
export const sideBySideWidth = 110;

export function bodyLines(snapshot: LabSnapshot, width: number, height: number): Line[] {
	switch (snapshot.lab) {
		case 'orders':
			return ordersLines(snapshot, width, height);
		case 'cqrs':
			return cqrsLines(snapshot, width, height);
		case 'deferred':
			return deferredLines(snapshot, width, height);
		case 'portal':
			return portalLines(snapshot, width, height);
		case 'mesh':
			return meshLines(snapshot, width, height);
	}
}

/** One running lab: title, its picture, the explanation naming what to look at, and its keys. */
export default function LabsView({snapshot, width, height, colorOn = true, explain = false}: Props) {
	const hints = snapshot.actions.map((a) => `${a.key} ${a.label}`).join(' · ');
	const title = `${snapshot.title}${snapshot.url ? ` · ${snapshot.url}` : ''}`;
	const inner = Math.max(0, height - 2);
	let content: React.ReactNode;
	if (explain) {
		content = <Explanation paragraphs={snapshot.explanation} width={width} height={inner} />;
	} else if (width >= sideBySideWidth) {
		const side = Math.min(48, Math.floor(width / 3));
		const main = width - side - 2;
		content = (
			<Box height={inner}>
				<LabLines lines={bodyLines(snapshot, main, inner)} width={main} colorOn={colorOn} />
				<Box marginLeft={2} width={side}>
					<Explanation paragraphs={snapshot.explanation} width={side} height={inner} />
				</Box>
			</Box>
		);
	} else {
		const explainRows = Math.min(3, Math.max(0, inner - 12));
		const bodyRows = inner - explainRows;
		content = (
			<Box flexDirection="column" height={inner}>
				<LabLines lines={bodyLines(snapshot, width, bodyRows)} width={width} colorOn={colorOn} />
				{explainRows > 0 ? <Explanation paragraphs={snapshot.explanation} width={width} height={explainRows} /> : null}
			</Box>
		);
	}
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold wrap="truncate" color={colorOn ? 'cyan' : undefined}>
				{cut(title, width)}
			</Text>
			{content}
			<Text dimColor wrap="truncate">
				{cut(hints, width)}
			</Text>
		</Box>
	);
}
