// The mesh lab: three private redis-servers, east, west and edge, in a
// triangle, with the whole mesh (mesh/node.ts) in this process. A producer
// publishes orders on east; a consumer group on west and one on edge read
// them. Keys cut and heal the east-west link, stop and resume the edge broker,
// and remove or add the group on edge. The screen shows the route each event
// took (its meshpath), each link's backlog growing and draining, and per
// consumer the events expected, read and read twice.
import {randomUUID} from 'node:crypto';
import type {Redis} from 'ioredis';
import {describeError} from '../../errors.js';
import {pathAttribute} from '../../mesh/bridge.js';
import {readLinkStates} from '../../mesh/figures.js';
import {readRoutes} from '../../mesh/interest.js';
import type {Topology} from '../../mesh/mesh.js';
import {MeshNode} from '../../mesh/node.js';
import {publishChecked} from '../../portal/enforce.js';
import {keys} from '../../redis/keys.js';
import {startPrivateRedis, type PrivateRedis} from '../../redis/private-server.js';
import {openRedisSession, type RedisSession} from '../../redis/session.js';
import type {LabRoute} from '../http.js';
import {labTopicPrefix} from '../keys.js';
import {LabBase, Ticker, type LabAction, type LabOptions} from '../lab.js';
import {meshExplanation, meshTitle} from './explain.js';
import type {MeshLabConsumer, MeshLabLink, MeshLabSnapshot} from './snapshot.js';

export const meshTopic = `${labTopicPrefix}mesh.orders`;
const brokerNames = ['east', 'west', 'edge'] as const;
type BrokerName = (typeof brokerNames)[number];

export type MeshLabOptions = LabOptions & {
	/** Orders a second published on east (default 10). */
	rate?: number;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A consumer group on one broker, read by the lab: what arrived, how often, and by which route. */
class Tally {
	readonly seen = new Map<string, number>();
	received = 0;
	doubled = 0;
	on = false;
	lastRoute: string | undefined;
	/** Redis ms on east of the route that brought this interest there, while it stands. */
	since: number | undefined;
	/** When the group was removed: events published after it are not expected. */
	offAt: number | undefined;
	/** When the group was (last) made, east's Redis ms: events published before are not expected. */
	addedAt = 0;
	private running = false;
	private loop: Promise<void> | undefined;

	constructor(
		readonly broker: BrokerName,
		readonly group: string,
		private readonly redis: Redis,
		private readonly onRoute: (id: string, path: string, at: string) => void,
	) {}

	/** Makes the group (interest) and reads it; `now` (east's Redis ms, read after) is when it counts from. */
	async add(now: () => Promise<number>): Promise<void> {
		await this.redis.xgroup('CREATE', keys.stream(meshTopic), this.group, '$', 'MKSTREAM').catch((error: unknown) => {
			if (!describeError(error).includes('BUSYGROUP')) throw error;
		});
		await this.redis.hsetnx(keys.topics, meshTopic, Date.now());
		this.addedAt = await now();
		this.seen.clear();
		this.received = 0;
		this.doubled = 0;
		this.offAt = undefined;
		this.on = true;
		if (!this.running) {
			this.running = true;
			this.loop = this.read();
		}
	}

	/** Deletes the group: the broker's interest goes with it. */
	async remove(at: number): Promise<void> {
		await this.redis.xgroup('DESTROY', keys.stream(meshTopic), this.group);
		this.on = false;
		this.offAt = at;
	}

	private async read(): Promise<void> {
		while (this.running) {
			if (!this.on) {
				await sleep(100);
				continue;
			}
			try {
				const reply = (await this.redis.xreadgroup('GROUP', this.group, 'lab', 'COUNT', 500, 'BLOCK', 500, 'STREAMS', keys.stream(meshTopic), '>')) as [string, [string, string[]][]][] | null;
				for (const [, entries] of reply ?? []) {
					for (const [, fields] of entries) {
						const id = fields[fields.indexOf('id') + 1] ?? '';
						const path = fields.includes(pathAttribute) ? (fields[fields.indexOf(pathAttribute) + 1] ?? '') : 'east';
						const times = (this.seen.get(id) ?? 0) + 1;
						this.seen.set(id, times);
						this.received++;
						if (times > 1) this.doubled++;
						this.lastRoute = path.split(',').join('→');
						this.onRoute(id, this.lastRoute, `${this.group} on ${this.broker}`);
					}
					if (entries.length > 0) await this.redis.xack(keys.stream(meshTopic), this.group, ...entries.map(([entryId]) => entryId));
				}
			} catch {
				// The broker is stopped, or the group was just removed: try again.
				await sleep(200);
			}
		}
	}

	async stop(): Promise<void> {
		this.running = false;
		await Promise.race([this.loop, sleep(1500)]);
	}
}

export class MeshLab extends LabBase {
	readonly name = 'mesh' as const;
	readonly title = meshTitle;
	private servers = new Map<BrokerName, PrivateRedis>();
	private sessions = new Map<string, RedisSession>();
	private node: MeshNode | undefined;
	private clients = new Map<BrokerName, Redis>();
	private tallies: Tally[] = [];
	private ticker: Ticker | undefined;
	/** Every order published on east: envelope id and its stream id's ms (east's Redis time). */
	private published: {id: string; at: number}[] = [];
	private recent: {id: string; path: string; at: string}[] = [];
	private cutLink: string | undefined;
	private edgeStopped = false;

	constructor(private readonly labOptions: MeshLabOptions) {
		super(labOptions);
		this.router.post('/mesh/cut', (_req, res) => res.json({cut: this.toggleCut()}));
		this.router.post('/mesh/shipping', async (_req, res) => {
			try {
				res.json({on: await this.toggleShipping()});
			} catch (error) {
				res.status(503).json({error: describeError(error)});
			}
		});
		this.router.post('/mesh/edge', (_req, res) => res.json({stopped: this.toggleEdge()}));
	}

	routes(): LabRoute[] {
		return [
			{method: 'POST', path: '/mesh/cut', does: 'cut the east-west link, or heal it'},
			{method: 'POST', path: '/mesh/shipping', does: 'remove the shipping group on edge, or add it back (not while edge is stopped)'},
			{method: 'POST', path: '/mesh/edge', does: 'stop the edge broker (SIGSTOP), or resume it'},
		];
	}

	/** A broker's URL (for eda mesh status --redis-url, or a consumer of your own). */
	brokerUrl(name: BrokerName): string | undefined {
		return this.servers.get(name)?.url;
	}

	protected async startActors(): Promise<void> {
		for (const name of brokerNames) {
			const server = await startPrivateRedis();
			this.servers.set(name, server);
			this.sessions.set(name, await openRedisSession({url: server.url, say: () => undefined}));
			// Bounded: the edge broker may be stopped, and the screen must still draw.
			this.clients.set(name, (this.sessions.get(name) as RedisSession).connect(`eda:lab:mesh:${name}`, {commandTimeoutMs: 1000}));
		}
		const topology: Topology = {
			brokers: brokerNames.map((name) => ({name, url: (this.servers.get(name) as PrivateRedis).url})),
			links: [
				{from: 'east', to: 'west'},
				{from: 'west', to: 'edge'},
				{from: 'edge', to: 'east'},
			],
		};
		const say = (line: string) => this.emit('lab:mesh', line, {event: 'mesh'});
		this.node = new MeshNode({topology, sessions: this.sessions, say});
		const onRoute = (id: string, path: string, at: string) => {
			this.recent.unshift({id, path, at});
			if (this.recent.length > 8) this.recent.pop();
		};
		// Each reader on a connection of its own: its reads block (500 ms); bounded, so a stopped broker fails a command instead of holding it.
		const reader = (name: BrokerName) => (this.sessions.get(name) as RedisSession).connect(`eda:lab:mesh:${name}:reader`, {commandTimeoutMs: 3000});
		this.tallies = [new Tally('west', 'billing', reader('west'), onRoute), new Tally('edge', 'shipping', reader('edge'), onRoute)];
		for (const tally of this.tallies) await tally.add(() => this.eastNow());
		await this.node.start();
		this.ticker = new Ticker(this.labOptions.rate ?? 10, () => this.publish());
		this.ticker.start();
		this.emit('lab:mesh', `Mesh lab running: brokers ${brokerNames.map((n) => `${n} ${this.servers.get(n)?.url}`).join(', ')}; orders published on east (${meshTopic})`, {event: 'started'});
	}

	protected async stopActors(): Promise<void> {
		this.ticker?.stop();
		const edge = this.servers.get('edge');
		if (this.edgeStopped) edge?.process.kill('SIGCONT');
		await Promise.allSettled(this.tallies.map((tally) => tally.stop()));
		await this.node?.stop().catch(() => undefined);
		for (const session of this.sessions.values()) await session.close().catch(() => undefined);
		for (const server of this.servers.values()) await server.stop().catch(() => undefined);
	}

	/** One order on east, as the ticker sends them (tests call it directly, at rate 0). */
	async publish(): Promise<void> {
		const east = this.clients.get('east');
		if (!east) return;
		const n = this.published.length + 1;
		const data = JSON.stringify({order: n, total: 10 + (n % 7)});
		const event = {envelope: {specversion: '1.0' as const, id: randomUUID(), source: 'lab-mesh-shop', type: meshTopic, time: new Date().toISOString(), datacontenttype: 'application/json', data}, wire: data};
		// The one publish function: a schema declared for the topic on east is enforced here too.
		const {ids: [streamId]} = await publishChecked(east, meshTopic, [event]);
		this.published.push({id: event.envelope.id, at: Number(streamId?.split('-')[0] ?? 0)});
	}

	private async eastNow(): Promise<number> {
		const [seconds, micros] = await (this.clients.get('east') as Redis).time();
		return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
	}

	toggleCut(): boolean {
		const cut = this.cutLink === undefined;
		this.node?.setCut('east', 'west', cut);
		this.cutLink = cut ? 'east-west' : undefined;
		this.emit('lab:mesh', cut ? 'Cut the east-west link: events for west wait on east' : 'Healed the east-west link: the backlog drains', {event: cut ? 'cut' : 'healed'});
		return cut;
	}

	toggleEdge(): boolean {
		const edge = this.servers.get('edge');
		if (!edge) return false;
		this.edgeStopped = !this.edgeStopped;
		edge.process.kill(this.edgeStopped ? 'SIGSTOP' : 'SIGCONT');
		this.emit('lab:mesh', this.edgeStopped ? 'Stopped the edge broker (SIGSTOP): events for edge wait on its neighbours' : 'Resumed the edge broker: the backlog drains', {event: this.edgeStopped ? 'stopped' : 'resumed'});
		return this.edgeStopped;
	}

	async toggleShipping(): Promise<boolean> {
		const tally = this.tallies.find((t) => t.group === 'shipping');
		if (!tally) return false;
		if (tally.on) {
			await tally.remove(await this.eastNow());
			this.emit('lab:mesh', 'Removed the shipping group on edge: the mesh withdraws its interest', {event: 'unsubscribed'});
		} else {
			await tally.add(() => this.eastNow());
			this.emit('lab:mesh', 'Added the shipping group on edge: edge receives what is published once its interest reached east', {event: 'subscribed'});
		}
		return tally.on;
	}

	/** Per consumer: expected (published on east once its group and its route there stood, before it was removed), read, read twice, waiting. */
	private async consumers(): Promise<MeshLabConsumer[]> {
		const routes = await readRoutes(this.clients.get('east') as Redis).catch(() => undefined);
		return this.tallies.map((tally) => {
			const route = routes?.get(`${meshTopic} ${tally.broker}`);
			// Since when the route has stood without a break (its next hop may change meanwhile):
			// one that was withdrawn and came back counts from its return.
			if (!route) tally.since = undefined;
			else if (tally.since === undefined) tally.since = route.since;
			// From when both the group and its route on east stood (a route from before a removal may linger a round).
			const from = Math.max(tally.since ?? Infinity, tally.addedAt);
			const expectedIds = this.published.filter((p) => p.at >= from && (tally.offAt === undefined || p.at < tally.offAt));
			const waiting = expectedIds.filter((p) => !tally.seen.has(p.id)).length;
			return {
				broker: tally.broker,
				group: tally.group,
				on: tally.on,
				routed: tally.since !== undefined,
				expected: expectedIds.length,
				received: tally.received,
				doubled: tally.doubled,
				waiting: tally.on ? waiting : 0,
				...(tally.lastRoute ? {lastRoute: tally.lastRoute} : {}),
			};
		});
	}

	async snapshot(): Promise<MeshLabSnapshot> {
		const east = this.clients.get('east') as Redis;
		const [states, consumers, [seconds]] = await Promise.all([readLinkStates(east).catch(() => []), this.consumers(), east.time()]);
		const links: MeshLabLink[] = states.map((s) => ({link: s.link, state: s.state, ...(s.reason ? {reason: s.reason} : {}), rate: s.rate, backlog: s.backlog, latencyMs: s.latencyMs, forwarded: s.forwarded, duplicates: s.duplicates}));
		const interest = (name: BrokerName) => this.tallies.filter((t) => t.broker === name && t.on).map((t) => t.group);
		return {
			lab: 'mesh',
			title: this.title,
			explanation: meshExplanation,
			now: Number(seconds) * 1000,
			url: this.url,
			topic: meshTopic,
			published: this.published.length,
			...(this.cutLink ? {cut: this.cutLink} : {}),
			brokers: brokerNames.map((name) => ({name, url: this.servers.get(name)?.url ?? '', stopped: name === 'edge' && this.edgeStopped, interest: interest(name)})),
			links,
			consumers,
			routes: [...this.recent],
			actions: this.actions().map(({key, label}) => ({key, label})),
		};
	}

	actions(): LabAction[] {
		return [
			{key: 'c', label: this.cutLink ? 'heal east-west' : 'cut east-west', run: () => void this.toggleCut()},
			{key: 's', label: this.edgeStopped ? 'resume edge' : 'stop edge', run: () => void this.toggleEdge()},
			{key: 'g', label: this.tallies.find((t) => t.group === 'shipping')?.on === false ? 'add shipping on edge' : 'remove shipping on edge', run: () => this.toggleShipping().then(() => undefined)},
		];
	}
}
