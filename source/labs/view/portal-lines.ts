// The portal lab on screen: the producer's shape and its answers (the 422 in
// red), the declared schema, each version the portal inferred with the
// compatibilities it breaks, and what the consumer group read.
import type {PortalLabSnapshot} from '../portal/snapshot.js';
import {cut, since} from '../../text/index.js';
import type {Line} from './LabLines.js';

function brokenText(breaks: PortalLabSnapshot['versions'][number]['breaks']): string {
	if (breaks.length === 0) return 'breaks nothing: BACKWARD, FORWARD, FULL kept';
	return `breaks ${[...breaks.map((d) => d.toUpperCase()), 'FULL'].join(', ')}`;
}

export function portalLines(s: PortalLabSnapshot, width: number, height: number): Line[] {
	const lines: Line[] = [
		{text: cut(`producer → ${s.topic}: ${s.shapeText}`, width), bold: true},
		{text: cut(`posted ${s.sent} · stored ${s.stored} · refused ${s.refused}`, width), ...(s.refused > 0 ? {color: 'red'} : {})},
	];
	if (s.lastRefusal) lines.push({text: cut(`last answer ${s.lastRefusal}`, width), color: 'red'});
	lines.push(
		s.declared
			? {text: cut(`declared v${s.declared.version}, ${s.declared.mode}, ${s.declared.compat}: the producer checks every event`, width), color: 'green'}
			: {text: cut('no schema declared: anything is stored (r registers the inferred shape)', width), dim: true},
	);
	if (s.registerError) lines.push({text: cut(`not registered: ${s.registerError}`, width), color: 'yellow'});
	const c = s.consumer;
	lines.push({text: cut(`group ${c.group}: read ${c.read}${c.lag === undefined ? '' : `, lag ${c.lag}`}; ${c.missingAmount} without the amount it needs`, width), ...(c.missingAmount > 0 ? {color: 'yellow'} : {})});
	lines.push({text: cut(s.versions.length === 0 ? 'inferred versions: none yet (the portal infers from the first event)' : 'inferred versions, newest first', width), dim: true});
	for (const v of [...s.versions].reverse()) {
		if (lines.length >= height) break;
		lines.push({text: cut(`v${v.version} ${since(v.at, s.now)}: ${v.version === 1 ? 'first shape seen' : brokenText(v.breaks)}`, width), bold: true, ...(v.breaks.length > 0 ? {color: 'red'} : {})});
		for (const change of v.changes.slice(0, 4)) lines.push({text: cut(`   ${change}`, width), dim: true});
		if (v.why) lines.push({text: cut(`   why: ${v.why}`, width), dim: true});
	}
	return lines.slice(0, height);
}
