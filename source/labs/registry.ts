// The labs by name: one line each for `eda lab`, and how to make one.
import {CqrsLab, type CqrsLabOptions} from './cqrs/lab.js';
import {DeferredLab, type DeferredLabOptions} from './deferred/lab.js';
import type {Lab, LabName} from './lab.js';
import {OrdersLab, type OrdersLabOptions} from './orders/lab.js';
import {MeshLab, type MeshLabOptions} from './mesh/lab.js';
import {PortalLab, type PortalLabOptions} from './portal/lab.js';

export const labSummaries: Record<LabName, string> = {
	orders: 'choreography: an order flow with no orchestrator, compensations, pause a service',
	cqrs: 'eventual consistency and CQRS: commands, a projected read model, stale reads, replicas',
	deferred: 'deferred execution: a burst of delayed tasks, countdowns, one slow worker vs four fast',
	portal: 'the event portal: a schema that evolves, inferred versions and breaks, then enforced with 422',
	mesh: 'the event mesh: three brokers in a triangle, events routed to interest; cut a link, stop a broker',
};

export type AnyLabOptions = OrdersLabOptions & CqrsLabOptions & DeferredLabOptions & PortalLabOptions & MeshLabOptions;

export function createLab(name: LabName, options: AnyLabOptions): Lab {
	switch (name) {
		case 'orders':
			return new OrdersLab(options);
		case 'cqrs':
			return new CqrsLab(options);
		case 'deferred':
			return new DeferredLab(options);
		case 'portal':
			return new PortalLab(options);
		case 'mesh':
			return new MeshLab(options);
	}
}

/** `eda lab` with no name: the labs, one line each. */
export function labListText(): string {
	const width = Math.max(...Object.keys(labSummaries).map((n) => n.length));
	return [
		'Usage: eda lab <name> [flags]',
		'',
		...Object.entries(labSummaries).map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
		'',
		'Flags: --rate N (orders, commands, portal or mesh events a second), --fail-rate P or payments=P,shipping=P (orders),',
		'--projection-delay DUR and --replicas N (cqrs), --interval DUR, --workers N and --burst N (deferred),',
		'--port N, --host H, --token T or --token-file PATH (or EDA_TOKEN), --insecure, --json.',
		'',
	].join('\n');
}
