// The whole mesh in one process: a router per broker, a bridge per link
// direction, and once a second every bridge's state written to every broker.
// A second process with the same topology runs the same actors: the routers
// compute the same tables, and the bridges share each consumer group, so the
// work is split and not doubled.
import type {Redis} from 'ioredis';
import type {RedisSession} from '../redis/session.js';
import {Bridge} from './bridge.js';
import {writeLinkState} from './figures.js';
import {directionsOf, neighboursOf, type Topology} from './mesh.js';
import {Router} from './router.js';

export type MeshNodeOptions = {
	topology: Topology;
	sessions: Map<string, RedisSession>;
	hopLimit?: number;
	claimIdleMs?: number;
	maxBacklog?: number;
	retain?: number;
	say: (line: string) => void;
};

export class MeshNode {
	readonly routers: Router[] = [];
	readonly bridges: Bridge[] = [];
	private readonly statusClients: Redis[] = [];
	private timer: NodeJS.Timeout | undefined;

	constructor(private readonly options: MeshNodeOptions) {
		const session = (name: string) => options.sessions.get(name) as RedisSession;
		for (const {name} of options.topology.brokers) {
			const neighbours = new Map(neighboursOf(options.topology, name).map((n) => [n, session(n)]));
			this.routers.push(new Router({broker: name, session: session(name), neighbours, hopLimit: options.hopLimit}));
			this.statusClients.push(session(name).connect(`eda:mesh:status:${name}`, {commandTimeoutMs: 1000}));
		}
		for (const {from, to} of directionsOf(options.topology)) {
			this.bridges.push(new Bridge({from, to, source: session(from), destination: session(to), hopLimit: options.hopLimit, claimIdleMs: options.claimIdleMs, maxBacklog: options.maxBacklog, retain: options.retain, say: options.say}));
		}
	}

	async start(): Promise<void> {
		// Routes first, so the bridges' first refresh finds them.
		await Promise.all(this.routers.map((router) => router.start()));
		await Promise.all(this.bridges.map((bridge) => bridge.start()));
		this.timer = setInterval(() => void this.writeStates(), 1000);
		this.timer.unref();
		void this.writeStates();
	}

	private async writeStates(): Promise<void> {
		const states = this.bridges.map((bridge) => bridge.figures.snapshot());
		await Promise.all(this.statusClients.map((client) => Promise.all(states.map((state) => writeLinkState(client, state))).catch(() => undefined)));
	}

	/** Cuts the link between two brokers, both ways (or heals it): the mesh lab's key. */
	setCut(a: string, b: string, cut: boolean): void {
		for (const bridge of this.bridges) if ((bridge.from === a && bridge.to === b) || (bridge.from === b && bridge.to === a)) bridge.setCut(cut);
		for (const router of this.routers) {
			const other = router.broker === a ? b : router.broker === b ? a : undefined;
			if (other === undefined) continue;
			if (cut) router.cut.add(other);
			else router.cut.delete(other);
		}
	}

	async stop(): Promise<void> {
		if (this.timer) clearInterval(this.timer);
		await Promise.all(this.bridges.map((bridge) => bridge.stop()));
		await Promise.all(this.routers.map((router) => router.stop()));
		for (const client of this.statusClients) client.disconnect();
	}
}
