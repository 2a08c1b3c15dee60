// The Mesh view's state: the brokers, every link direction with its figures,
// and per topic the brokers with interest in it, as one broker of the mesh
// records them (mesh/figures.ts, mesh/interest.ts). Pure: the feed
// (feed/mesh.ts) reads Redis and hands the result to the store in one batch.
import type {LinkPart, LinkReport} from '../../mesh/figures.js';

/** mesh/figures.ts LinkReport, as far as the view draws it. */
export type MeshLinkInput = Pick<
	LinkReport,
	'link' | 'from' | 'to' | 'state' | 'reason' | 'stateForMs' | 'forwarded' | 'duplicates' | 'dropped' | 'rate' | 'backlog' | 'latencyMs' | 'idleMs' | 'topics' | 'ageMs'
> & {processes: Array<Pick<LinkPart, 'process' | 'stale'>>};

/** One route as mesh/interest.ts keeps it: `<topic or pattern> <broker>` → distance and next hop. */
export type MeshRouteInput = {interest: string; broker: string; dist: number; via: string};

export type MeshLinkRow = {
	link: string;
	from: string;
	to: string;
	/** 'stale': no bridge rewrote it lately (no mesh process runs it). */
	state: 'up' | 'down' | 'stale';
	reason?: string;
	/** How long in this state; for a stale link, how long since the last write. */
	forMs: number;
	rate: number;
	backlog: number;
	latencyMs: number;
	idleMs: number;
	forwarded: number;
	duplicates: number;
	dropped: number;
	topics: string[];
	/** Mesh processes running this link now. */
	processes: number;
};

export type MeshBroker = {
	name: string;
	/** From the topology (--broker, --config), masked; absent when only seen in the figures. */
	url?: string;
	/** Whether it answered the last ping (only with a topology). */
	answers?: boolean;
	/** The topics and patterns it has interest in itself. */
	interest: string[];
};

export type MeshInterestRow = {
	/** A topic or a pattern. */
	interest: string;
	/** Each broker with interest, by distance from the broker read. */
	where: {broker: string; dist: number; via: string}[];
};

export type MeshState = {
	/** The dashboard runs with --mesh, --broker/--link or --config. */
	enabled: boolean;
	loaded: boolean;
	/** The broker the figures and routes were read from. */
	seenFrom?: string;
	brokers: MeshBroker[];
	links: MeshLinkRow[];
	interest: MeshInterestRow[];
	/** Why the last read failed, while it stands (the last rows stay). */
	error?: string;
};

/** mesh/figures.ts staleAfterMs: a link state older than this has no bridge. */
const staleAfterMs = 5000;

export function meshLinkRows(links: MeshLinkInput[]): MeshLinkRow[] {
	return links.map((link) => {
		const stale = link.ageMs > staleAfterMs;
		return {
			link: link.link,
			from: link.from,
			to: link.to,
			state: stale ? 'stale' : link.state,
			...(link.reason && !stale && link.state === 'down' ? {reason: link.reason} : {}),
			forMs: stale ? link.ageMs : link.stateForMs,
			rate: stale ? 0 : link.rate,
			backlog: link.backlog,
			latencyMs: link.latencyMs,
			idleMs: link.idleMs,
			forwarded: link.forwarded,
			duplicates: link.duplicates,
			dropped: link.dropped,
			topics: link.topics,
			processes: link.processes.filter((p) => !p.stale).length,
		};
	});
}

export function meshInterestRows(routes: MeshRouteInput[]): MeshInterestRow[] {
	const by = new Map<string, MeshInterestRow['where']>();
	for (const route of routes) {
		const where = by.get(route.interest) ?? [];
		where.push({broker: route.broker, dist: route.dist, via: route.via});
		by.set(route.interest, where);
	}
	return [...by.entries()]
		.map(([interest, where]) => ({interest, where: where.sort((a, b) => a.dist - b.dist || a.broker.localeCompare(b.broker))}))
		.sort((a, b) => a.interest.localeCompare(b.interest));
}

/**
 * Every broker: those of the topology (in its order) with their URL and
 * answer, then any other named by a link or a route; each with its own interest.
 */
export function meshBrokers(topology: {name: string; url: string; answers?: boolean}[], links: MeshLinkInput[], routes: MeshRouteInput[]): MeshBroker[] {
	const brokers = new Map<string, MeshBroker>();
	for (const {name, url, answers} of topology) brokers.set(name, {name, url, ...(answers === undefined ? {} : {answers}), interest: []});
	const names = [...links.flatMap((l) => [l.from, l.to]), ...routes.map((r) => r.broker)].sort();
	for (const name of names) if (!brokers.has(name)) brokers.set(name, {name, interest: []});
	for (const route of routes) {
		const broker = brokers.get(route.broker);
		if (broker && !broker.interest.includes(route.interest)) broker.interest.push(route.interest);
	}
	for (const broker of brokers.values()) broker.interest.sort();
	return [...brokers.values()];
}
