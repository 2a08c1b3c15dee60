// A link direction's state and figures, kept by its bridge and written once a
// second to every broker of the mesh (keys.mesh.links), so `eda mesh status`
// from any broker shows every link, and a stalled link shows by its age even
// when no event moves.
import os from 'node:os';
import type {Redis} from 'ioredis';
import {keys} from '../redis/keys.js';
import {luaNowMs} from '../redis/clock.js';
import {LuaScript} from '../redis/script.js';

export type LinkState = {
	link: string;
	from: string;
	to: string;
	state: 'up' | 'down';
	/** Why it is down, when it is. */
	reason?: string;
	/** How long it has been in this state, ms. */
	stateForMs: number;
	/** Events stored on the destination since the bridge started. */
	forwarded: number;
	/** Events the destination already had (a repeat after a crash or a cycle). */
	duplicates: number;
	/** Events not sent because they reached their hop limit. */
	hopLimited: number;
	/** Events trimmed from the source before this link carried them (past --max-backlog). */
	dropped: number;
	/** Events per second over the last few seconds. */
	rate: number;
	/** Entries behind on the source: read and unacknowledged, plus unread. */
	backlog: number;
	/** Redis time on the source at the write minus the newest forwarded entry's id time, ms; -1 before the first. */
	latencyMs: number;
	/** ms since the bridge last stored an event or last heard an idle source; -1 before either. */
	idleMs: number;
	/** The source's topics this link carries now (a route through it), as of its last round. */
	topics: string[];
	pid: number;
	/** The process that wrote it (processName). */
	process: string;
};

export class LinkFigures {
	forwardedTotal = 0;
	duplicates = 0;
	hopLimited = 0;
	dropped = 0;
	backlog = 0;
	latencyMs = -1;
	topics: string[] = [];
	private lastActivity = 0;
	private sourceError: string | undefined;
	private destinationError: string | undefined;
	private stateSince = Date.now();
	private samples: {at: number; total: number}[] = [];

	constructor(
		readonly from: string,
		readonly to: string,
	) {}

	get up(): boolean {
		return this.sourceError === undefined && this.destinationError === undefined;
	}

	private change(apply: () => void): void {
		const wasUp = this.up;
		apply();
		if (wasUp !== this.up) this.stateSince = Date.now();
	}

	/** True when the source just went down (say so once). */
	sourceDown(reason: string): boolean {
		const first = this.sourceError === undefined;
		this.change(() => (this.sourceError = reason));
		return first;
	}

	sourceUp(): boolean {
		const was = this.sourceError !== undefined;
		this.change(() => (this.sourceError = undefined));
		this.lastActivity = Date.now();
		return was;
	}

	destinationDown(reason: string): boolean {
		const first = this.destinationError === undefined;
		this.change(() => (this.destinationError = reason));
		return first;
	}

	destinationUp(): boolean {
		const was = this.destinationError !== undefined;
		this.change(() => (this.destinationError = undefined));
		return was;
	}

	forwarded(stored: number, duplicates: number, latencyMs: number, _now: number): void {
		this.forwardedTotal += stored;
		this.duplicates += duplicates;
		this.latencyMs = Math.max(0, latencyMs);
		this.lastActivity = Date.now();
	}

	snapshot(): LinkState {
		const now = Date.now();
		this.samples.push({at: now, total: this.forwardedTotal});
		while (this.samples.length > 6) this.samples.shift();
		const first = this.samples[0];
		const seconds = first ? (now - first.at) / 1000 : 0;
		const rate = first && seconds > 0 ? (this.forwardedTotal - first.total) / seconds : 0;
		const reason = this.sourceError !== undefined ? `${this.from}: ${this.sourceError}` : this.destinationError !== undefined ? `${this.to}: ${this.destinationError}` : undefined;
		return {
			link: `${this.from}>${this.to}`,
			from: this.from,
			to: this.to,
			state: this.up ? 'up' : 'down',
			...(reason ? {reason} : {}),
			stateForMs: now - this.stateSince,
			forwarded: this.forwardedTotal,
			duplicates: this.duplicates,
			hopLimited: this.hopLimited,
			dropped: this.dropped,
			rate: Math.round(rate * 10) / 10,
			backlog: this.backlog,
			latencyMs: this.latencyMs,
			idleMs: this.lastActivity === 0 ? -1 : now - this.lastActivity,
			topics: this.topics,
			pid: process.pid,
			process: processName,
		};
	}
}

// The state and the Redis time it was written at, together, one field per
// link and process: two mesh processes running one topology each carry part
// of every link, and each writes only its own part (readLinkStates sums them).
// A process's fields that were not rewritten for pruneAfterMs go (it is gone).
// KEYS[1] -> eda:{mesh}:links
// ARGV[1] -> field ("<link> <process>"), ARGV[2] -> state JSON, ARGV[3] -> prune after ms
const writeLink = new LuaScript(`${luaNowMs}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], ARGV[1] .. '@', now)
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local name = all[i]
  if string.sub(name, -1) == '@' and now - tonumber(all[i + 1]) > tonumber(ARGV[3]) then
    redis.call('HDEL', KEYS[1], name, string.sub(name, 1, -2))
  end
end
return now
`);

/** A process's part of a link that was not rewritten for this long is forgotten. */
const pruneAfterMs = 10 * 60 * 1000;

/** How one process is named in the figures: host and pid, as its bridges name their consumers. */
export const processName = `${os.hostname()}-${process.pid}`;

export async function writeLinkState(redis: Redis, state: LinkState): Promise<void> {
	await writeLink.run(redis, [keys.mesh.links], [`${state.link} ${state.process}`, JSON.stringify(state), pruneAfterMs]);
}

/** One process's part of a link, as read back. */
export type LinkPart = {process: string; pid: number; state: 'up' | 'down'; forwarded: number; rate: number; backlog: number; ageMs: number; stale: boolean};

/**
 * A link's state as read back, every process's part together: counts summed
 * over all (a process that stopped still forwarded what it forwarded), rate
 * summed and state, backlog, latency and idle taken from the parts written
 * within staleAfterMs (the freshest where they differ; down when any says so).
 * `ageMs`: the freshest part's age (Redis time of the broker read); `pid`: its
 * process.
 */
export type LinkReport = LinkState & {ageMs: number; processes: LinkPart[]};

/** A link whose state was not rewritten for this long has no bridge running. */
export const staleAfterMs = 5000;

function merge(parts: (LinkState & {ageMs: number})[]): LinkReport {
	const byAge = [...parts].sort((a, b) => a.ageMs - b.ageMs);
	const freshest = byAge[0] as LinkState & {ageMs: number};
	const fresh = byAge.filter((part) => part.ageMs <= staleAfterMs);
	const live = fresh.length > 0 ? fresh : [freshest];
	const down = live.find((part) => part.state === 'down');
	const idles = live.map((part) => part.idleMs).filter((ms) => ms >= 0);
	const sum = (list: LinkState[], pick: (part: LinkState) => number) => list.reduce((total, part) => total + pick(part), 0);
	return {
		...freshest,
		...(down ? {state: 'down' as const, reason: down.reason, stateForMs: down.stateForMs} : {}),
		forwarded: sum(parts, (p) => p.forwarded),
		duplicates: sum(parts, (p) => p.duplicates),
		hopLimited: sum(parts, (p) => p.hopLimited),
		dropped: sum(parts, (p) => p.dropped),
		rate: Math.round(sum(fresh, (p) => p.rate) * 10) / 10,
		// Every process reads the one consumer group, so each sees the whole backlog.
		backlog: Math.max(...live.map((p) => p.backlog)),
		idleMs: idles.length > 0 ? Math.min(...idles) : -1,
		topics: [...new Set(live.flatMap((p) => p.topics))].sort(),
		processes: byAge.map((p) => ({process: p.process, pid: p.pid, state: p.state, forwarded: p.forwarded, rate: p.rate, backlog: p.backlog, ageMs: p.ageMs, stale: p.ageMs > staleAfterMs})),
	};
}

export async function readLinkStates(redis: Redis): Promise<LinkReport[]> {
	const [hash, time] = await Promise.all([redis.hgetall(keys.mesh.links), redis.time()]);
	const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
	const parts = new Map<string, (LinkState & {ageMs: number})[]>();
	for (const [name, value] of Object.entries(hash)) {
		if (name.endsWith('@')) continue;
		try {
			const state = JSON.parse(value) as LinkState;
			if (typeof state.link !== 'string') continue;
			const list = parts.get(state.link) ?? [];
			list.push({...state, process: state.process ?? String(state.pid), ageMs: now - Number(hash[`${name}@`] ?? 0)});
			parts.set(state.link, list);
		} catch {
			// Not ours.
		}
	}
	return [...parts.values()].map(merge).sort((a, b) => a.link.localeCompare(b.link));
}
