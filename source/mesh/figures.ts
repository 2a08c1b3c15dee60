// A link direction's state and figures, kept by its bridge and written once a
// second to every broker of the mesh (keys.mesh.links), so `eda mesh status`
// from any broker shows every link, and a stalled link shows by its age even
// when no event moves.
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
		};
	}
}

// The state and the Redis time it was written at, together.
// KEYS[1] -> eda:{mesh}:links
// ARGV[1] -> link name, ARGV[2] -> state JSON
const writeLink = new LuaScript(`${luaNowMs}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], ARGV[1] .. '@', now)
return now
`);

export async function writeLinkState(redis: Redis, state: LinkState): Promise<void> {
	await writeLink.run(redis, [keys.mesh.links], [state.link, JSON.stringify(state)]);
}

/** A link's state as read back, with how old the write is (Redis time of the broker read). */
export type LinkReport = LinkState & {ageMs: number};

/** A link whose state was not rewritten for this long has no bridge running. */
export const staleAfterMs = 5000;

export async function readLinkStates(redis: Redis): Promise<LinkReport[]> {
	const [hash, time] = await Promise.all([redis.hgetall(keys.mesh.links), redis.time()]);
	const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
	const reports: LinkReport[] = [];
	for (const [name, value] of Object.entries(hash)) {
		if (name.endsWith('@')) continue;
		try {
			const state = JSON.parse(value) as LinkState;
			reports.push({...state, ageMs: now - Number(hash[`${name}@`] ?? 0)});
		} catch {
			// Not ours.
		}
	}
	return reports.sort((a, b) => a.link.localeCompare(b.link));
}
