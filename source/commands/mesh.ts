// `eda mesh --broker name=url … --link a-b …` (or --config mesh.json): every
// bridge of the mesh in this process. `eda mesh status`: each link's state
// and figures, read from any one broker.
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {durationFlag, intFlag} from '../cli/parse.js';
import {UserError, describeError} from '../errors.js';
import {defaultMaxBacklog, defaultMeshClaimIdleMs} from '../mesh/bridge.js';
import {readLinkStates, staleAfterMs, type LinkReport} from '../mesh/figures.js';
import {defaultHopLimit, readRoutes, splitRouteKey} from '../mesh/interest.js';
import {topologyFromFlags, type Topology} from '../mesh/mesh.js';
import {MeshNode} from '../mesh/node.js';
import {openRedisSession, type RedisSession} from '../redis/session.js';
import {duration, safeJson, sanitize} from '../text/index.js';
import {defaultRetain} from '../topics/publish.js';
import {runActors} from './run-actors.js';

const usage = 'usage: eda mesh --broker name=redis://host:port … --link a-b … | --config mesh.json; eda mesh status [--json]';

export async function run(args: string[], flags: Flags): Promise<number> {
	const [action, ...rest] = args;
	if (action === 'status') {
		if (rest.length > 0) throw new UserError(`eda mesh status takes no arguments (${usage})`, 2);
		return status(flags);
	}
	if (action !== undefined) throw new UserError(`eda mesh: unknown action "${action}" (${usage})`, 2);
	const topology = topologyFromFlags(flags);
	const hopLimit = intFlag('hop-limit', flags.hopLimit, defaultHopLimit, 1, 64);
	const maxBacklog = intFlag('max-backlog', flags.maxBacklog, defaultMaxBacklog, 1, 1_000_000_000);
	const claimIdleMs = durationFlag('claim-idle', flags.claimIdle, defaultMeshClaimIdleMs);
	const retain = intFlag('retain', flags.retain, defaultRetain, 1, 100_000_000);
	const output = consoleOutput(flags.json);
	const say = (line: string) => output.emit('mesh', [line], {event: 'mesh', message: line});
	const sessions = new Map<string, RedisSession>();
	return runActors({
		redisUrl: undefined,
		open: async (warn) => openAll(topology, sessions, warn),
		actors: () => [new MeshNode({topology, sessions, hopLimit, claimIdleMs, maxBacklog, retain, say})],
		whileRunning: () => {
			const links = topology.links.map(({from, to}) => `${from}-${to}`).join(', ');
			output.emit('mesh', [`Mesh running: ${topology.brokers.length} brokers, links ${links} (${topology.links.length * 2} bridges)`], {event: 'started', brokers: topology.brokers.map((b) => b.name), links: topology.links});
		},
	});
}

/**
 * Opens every broker, all or none: one that does not answer closes the others
 * and stops the start with one line naming it (exit 1, as for any Redis).
 */
async function openAll(topology: Topology, sessions: Map<string, RedisSession>, say: (line: string) => void): Promise<RedisSession> {
	const results = await Promise.allSettled(topology.brokers.map(({url}) => openRedisSession({url, say})));
	const opened = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
	const failed = results.findIndex((result) => result.status === 'rejected');
	if (failed >= 0) {
		await Promise.all(opened.map((session) => session.close()));
		const reason = (results[failed] as PromiseRejectedResult).reason;
		const exitCode = reason instanceof UserError ? reason.exitCode : 1;
		throw new UserError(`broker ${topology.brokers[failed]?.name}: ${describeError(reason)}`, exitCode);
	}
	topology.brokers.forEach(({name}, i) => sessions.set(name, opened[i] as RedisSession));
	const first = opened[0] as RedisSession;
	return {...first, close: async () => void (await Promise.all(opened.map((session) => session.close())))};
}

async function status(flags: Flags): Promise<number> {
	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => process.stderr.write(`${line}\n`)});
	try {
		const redis = session.connect('eda:mesh-status');
		const [links, routes] = await Promise.all([readLinkStates(redis), readRoutes(redis)]);
		const interest: Record<string, Record<string, {dist: number; via: string}>> = {};
		for (const [key, route] of routes) {
			const {interest: topic, broker} = splitRouteKey(key);
			(interest[topic] ??= {})[broker] = {dist: route.dist, via: route.via};
		}
		if (flags.json) {
			process.stdout.write(`${safeJson({links: links.map((link) => ({...link, stale: link.ageMs > staleAfterMs})), interest})}\n`);
			return 0;
		}
		process.stdout.write(`${formatStatus(links, interest).join('\n')}\n`);
		return 0;
	} finally {
		await session.close();
	}
}

/** A time in ms as every view writes it (text/time.ts); '-' for -1, before the first. */
const elapsed = (ms: number) => (ms < 0 ? '-' : duration(ms));

export function formatStatus(links: LinkReport[], interest: Record<string, Record<string, {dist: number; via: string}>>): string[] {
	if (links.length === 0) return ['No mesh links recorded on this broker (is `eda mesh` running?)'];
	const lines = ['link              state               rate/s   backlog   latency   idle     forwarded  dup  dropped'];
	for (const link of links) {
		const stale = link.ageMs > staleAfterMs;
		const state = stale ? `no bridge (${elapsed(link.ageMs)})` : `${link.state} ${elapsed(link.stateForMs)}`;
		lines.push(
			[
				sanitize(link.link).padEnd(17),
				state.padEnd(19),
				String(link.rate).padStart(6),
				String(link.backlog).padStart(9),
				elapsed(link.latencyMs).padStart(9),
				elapsed(link.idleMs).padStart(6),
				String(link.forwarded).padStart(11),
				String(link.duplicates).padStart(4),
				String(link.dropped).padStart(8),
			].join(' '),
		);
		if (link.state === 'down' && link.reason && !stale) lines.push(`  ${sanitize(link.reason)}`);
		// Two mesh processes on one topology share each link: the line above sums them; here is each one's part.
		if (link.processes.length > 1) {
			const parts = link.processes.map((p) => `${p.process} ${p.stale ? `gone ${elapsed(p.ageMs)}` : p.state} ${p.forwarded} forwarded ${p.rate}/s`);
			lines.push(`  ${link.processes.length} processes: ${sanitize(parts.join('; '))}`);
		}
	}
	const topics = Object.keys(interest).sort();
	if (topics.length > 0) {
		lines.push('', 'interest seen from this broker (topic: broker at hops via next hop)');
		for (const topic of topics) {
			const where = Object.entries(interest[topic] ?? {}).map(([broker, {dist, via}]) => (dist === 0 ? `${broker} (here)` : `${broker} at ${dist} via ${via}`));
			lines.push(`  ${sanitize(topic)}: ${sanitize(where.join(', '))}`);
		}
	}
	return lines;
}
