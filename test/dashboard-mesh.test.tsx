// The Mesh view on a fake store through ink-testing-library: brokers, links
// with their state in words, rate, backlog and latency, interest per topic;
// the view without --mesh; Esc and q backing out; help; network text
// sanitised. And the feed once against real redis-servers: what `eda mesh`
// records on a broker reaches the view.
import assert from 'node:assert/strict';
import {after, afterEach, describe, it} from 'node:test';
import chalk from 'chalk';
import {cleanup} from 'ink-testing-library';
import {refreshMesh, startMeshFeed} from '../source/dashboard/feed/mesh.js';
import {meshBrokers, meshInterestRows, meshLinkRows, type MeshLinkInput, type MeshRouteInput} from '../source/dashboard/store/mesh.js';
import {DashboardStore} from '../source/dashboard/store/store.js';
import {createRedis} from '../source/redis/connect.js';
import {freePort} from '../source/redis/private-server.js';
import {keys, recordingControls, renderDashboard} from './helpers/dashboard.js';
import {addGroup, routeKnown, startBrokers, startMesh, stopBrokers, type Brokers} from './helpers/mesh.js';
import {stopAllCli} from './helpers/process.js';
import {session, waitFor} from './helpers/redis.js';

const link = (from: string, to: string, extra: Partial<MeshLinkInput> = {}): MeshLinkInput => ({
	link: `${from}>${to}`,
	from,
	to,
	state: 'up',
	stateForMs: 12_000,
	forwarded: 4200,
	duplicates: 0,
	dropped: 0,
	rate: 250,
	backlog: 0,
	latencyMs: 3,
	idleMs: 20,
	topics: ['orders'],
	ageMs: 400,
	processes: [{process: 'vm-1', stale: false}],
	...extra,
});

const links: MeshLinkInput[] = [
	link('east', 'west'),
	link('west', 'east', {forwarded: 0, rate: 0, topics: [], latencyMs: -1}),
	link('west', 'edge', {state: 'down', stateForMs: 4100, reason: 'edge: Command timed out', backlog: 3900, rate: 0, idleMs: 4100, processes: [{process: 'vm-1', stale: false}, {process: 'vm-2', stale: false}]}),
	link('edge', 'west', {ageMs: 9000, forwarded: 0, rate: 0, topics: []}),
];

const routes: MeshRouteInput[] = [
	{interest: 'orders', broker: 'edge', dist: 1, via: 'edge'},
	{interest: 'orders', broker: 'west', dist: 0, via: ''},
	{interest: 'audit.*', broker: 'east', dist: 1, via: 'east'},
];

function meshStore(enabled = true): DashboardStore {
	const store = new DashboardStore({frameMs: 1, redisUrl: 'redis://127.0.0.1:6379', now: () => 1_000_000});
	const topology = [
		{name: 'east', url: 'redis://127.0.0.1:6380', answers: true},
		{name: 'west', url: 'redis://127.0.0.1:6381', answers: true},
		{name: 'edge', url: 'redis://127.0.0.1:6382', answers: false},
	];
	if (enabled) store.setMesh({enabled: true, loaded: true, seenFrom: 'west', brokers: meshBrokers(topology, links, routes), links: meshLinkRows(links), interest: meshInterestRows(routes)});
	return store;
}

afterEach(() => cleanup());

describe('the Mesh view', () => {
	it('M opens it: brokers with their interest and answer, links with state, rate, backlog, latency; interest per topic', async () => {
		const app = await renderDashboard({store: meshStore(), columns: 120, rows: 24});
		const frame = await app.press('M', (f) => f.includes('Event mesh: 3 brokers, 4 link directions (2 not up)'), 'the mesh');
		const row = (start: RegExp) => frame.split('\n').find((line) => start.test(line)) ?? '';
		assert.match(row(/^ {2}east /), /redis:\/\/127\.0\.0\.1:6380 +answers +wants audit\.\*/);
		assert.match(row(/^ {2}edge /), /NO ANSWER +wants orders/, 'a broker that does not answer says so in words');
		assert.match(row(/^ {2}west /), /wants orders/);
		assert.match(row(/^ {2}east>west /), /up 12s +250 +0 +3ms +20ms +4200 +0 +0$/);
		assert.match(row(/^ {2}west>edge /), /DOWN 4\.1s +0 +3900 +3ms +4\.1s .*\(2 processes\)/, 'down, its backlog, and two processes sharing it');
		assert.match(frame, /^ {6}edge: Command timed out/m, 'why it is down');
		assert.match(row(/^ {2}edge>west /), /no bridge 9s/, 'a state nobody rewrote: no mesh process runs it');
		assert.match(row(/^ {2}west>east /), /up 12s +0 +0 +- /, 'no latency before the first event');
		assert.match(frame, /Interest \(topic: broker with interest, hops from west, next hop\)/);
		assert.match(frame, /^ {2}orders: west \(here\), edge 1 hop via edge$/m);
		assert.match(frame, /^ {2}audit\.\*: east 1 hop via east$/m);
		assert.match(frame, /\? help {2}q back/, 'the hint line');
	});

	it('with colour: a down link red, one with a backlog yellow, a drained one green', async () => {
		const level = chalk.level;
		chalk.level = 3;
		try {
			const store = meshStore();
			store.setMesh({...store.getState().mesh, links: meshLinkRows([...links, link('east', 'edge', {backlog: 12})])});
			const app = await renderDashboard({store, colorOn: true, columns: 120, rows: 24});
			await app.press('M', (f) => f.includes('Event mesh'), 'the mesh');
			const raw = app.lastFrame() ?? '';
			const lineOf = (text: string) => raw.split('\n').find((line) => line.includes(text)) ?? '';
			assert.match(lineOf('west>edge'), /\u001B\[31m/, 'down: red');
			assert.match(lineOf('east>edge'), /\u001B\[33m/, 'a backlog: yellow');
			assert.match(lineOf('east>west'), /\u001B\[32m/, 'drained: green');
		} finally {
			chalk.level = level;
		}
	});

	it('without --mesh: one sentence on how to turn it on; Esc and q back out and never quit', async () => {
		const controls = recordingControls();
		const app = await renderDashboard({store: meshStore(false), controls, columns: 100, rows: 24});
		await app.press('M', (f) => f.includes('started without the mesh') && f.includes('--mesh'), 'how to turn it on');
		await app.press(keys.escape, (f) => f.includes('1 Topics'), 'back to the panes');
		await app.press('M', (f) => f.includes('Event mesh'), 'the view again');
		await app.press('q', (f) => f.includes('1 Topics'), 'q: the panes');
		assert.deepEqual(controls.calls, [], 'q inside the view never quits');
	});

	it('help lists M on the main screen; before the first read; a failed read keeps the rows and says why', async () => {
		const store = new DashboardStore({frameMs: 1, now: () => 1_000_000});
		store.setMesh({enabled: true, loaded: false, brokers: [], links: [], interest: []});
		const app = await renderDashboard({store, columns: 100, rows: 40});
		await app.press('?', (f) => /M\s+event mesh, full screen/.test(f), 'M in help');
		await app.press(keys.escape, (f) => f.includes('1 Topics'), 'help closed');
		await app.press('M', (f) => f.includes('Reading the mesh…'), 'not read yet');
		store.setMesh({enabled: true, loaded: true, brokers: [], links: [], interest: []});
		await app.waitForFrame((f) => f.includes('No mesh figures on this broker'), 'nothing recorded');
		store.setMesh({...meshStore().getState().mesh, error: 'reading the mesh failed: Connection is closed.'});
		await app.waitForFrame((f) => f.includes('✗ reading the mesh failed: Connection is closed.') && f.includes('east>west'), 'the error said, the rows kept');
	});

	it('network text is sanitised: escape sequences in topic and broker names never reach the terminal', async () => {
		const evil = '\u001B]0;pwned\u0007\u001B[2J';
		const store = new DashboardStore({frameMs: 1, now: () => 1_000_000});
		const evilRoutes = [{interest: `orders${evil}`, broker: `west${evil}`, dist: 1, via: `west${evil}`}];
		store.setMesh({enabled: true, loaded: true, brokers: meshBrokers([], [link(`a${evil}`, 'b')], evilRoutes), links: meshLinkRows([link(`a${evil}`, 'b', {reason: `b: ${evil}`, state: 'down'})]), interest: meshInterestRows(evilRoutes)});
		const app = await renderDashboard({store, columns: 120, rows: 24});
		await app.press('M', (f) => f.includes('Event mesh'), 'the mesh');
		const raw = app.lastFrame() ?? '';
		assert.ok(!raw.includes('\u0007') && !raw.includes('\u001B]0;') && !raw.includes('\u001B[2J'), 'no control sequence from the network');
		assert.match(app.frame(), /orders\\x1b\]0;pwned\\x07/, 'the topic shown, its controls made visible');
	});
});

describe('the Mesh feed on real brokers', () => {
	const started: Brokers[] = [];
	after(async () => {
		await stopAllCli();
		for (const brokers of started) await stopBrokers(brokers);
	});

	it('reads what eda mesh records: every link direction, each broker answering or not, the interest', async () => {
		const brokers = await startBrokers(['east', 'west']);
		started.push(brokers);
		const {east, west} = brokers;
		await addGroup(west!.client, 'orders');
		const mesh = await startMesh({east: east!, west: west!}, ['east-west']);
		await routeKnown(east!.client, 'orders', 'west');
		const store = new DashboardStore({frameMs: 1});
		// As the feed makes them: commands fail at once while a broker is away.
		const client = (url: string) => createRedis(url, {offlineQueue: false, commandTimeoutMs: 1000});
		const topology = [
			{name: 'east', url: east!.url, redis: client(east!.url)},
			{name: 'west', url: west!.url, redis: client(west!.url)},
		];
		await waitFor(async () => {
			await refreshMesh({redis: east!.client, display: 'east'}, topology, store);
			return store.getState().mesh.links.length === 2;
		}, 'both link directions in the view');
		const state = store.getState().mesh;
		assert.equal(state.error, undefined);
		assert.deepEqual(state.links.map((l) => [l.link, l.state]), [['east>west', 'up'], ['west>east', 'up']]);
		assert.deepEqual(state.brokers.map((b) => [b.name, b.answers, b.interest]), [['east', true, []], ['west', true, ['orders']]]);
		assert.deepEqual(state.interest, [{interest: 'orders', where: [{broker: 'west', dist: 1, via: 'west'}]}]);
		assert.doesNotMatch(JSON.stringify(state.brokers), /redis:\/\/[^"]*:[^"@]*@/, 'no password in a URL shown');
		// West stopped: it answers no more, and the view says so.
		west!.pause();
		try {
			await waitFor(async () => {
				await refreshMesh({redis: east!.client, display: 'east'}, topology, store);
				return store.getState().mesh.brokers.find((b) => b.name === 'west')?.answers === false;
			}, 'west not answering', 20_000);
		} finally {
			west!.resume();
		}
		for (const broker of topology) broker.redis.disconnect();
		await mesh.stop();
	});

	it("a broker's password is masked in the view, and a broker reached in the clear beyond loopback is warned about once", async () => {
		const brokers = await startBrokers(['east']);
		started.push(brokers);
		const {east} = brokers;
		const store = new DashboardStore({frameMs: 1});
		// Nothing listens on this port: the broker is shown, not answering, its password masked.
		const locked = `redis://:hunter2@127.0.0.1:${await freePort()}`;
		const far = createRedis(locked, {offlineQueue: false, commandTimeoutMs: 1000});
		try {
			await refreshMesh({redis: east!.client, display: 'east'}, [{name: 'locked', url: locked, redis: far}], store);
			const shown = store.getState().mesh.brokers.find((b) => b.name === 'locked');
			assert.equal(shown?.url, locked.replace(':hunter2@', ':***@'));
			assert.doesNotMatch(JSON.stringify(store.getState().mesh), /hunter2/);
		} finally {
			far.disconnect();
		}
		// TEST-NET-1 (nothing answers): a redis:// URL beyond loopback with no password.
		const opened = await session(east!.url);
		const feed = await startMeshFeed(opened, store, {brokers: [{name: 'east', url: east!.url}, {name: 'far', url: 'redis://192.0.2.1:6379'}], links: [{from: 'east', to: 'far'}]});
		try {
			const warnings = store.log.lines().filter((line) => /no password and no TLS/.test(line.text));
			assert.deepEqual(warnings.map((line) => line.text.split(':')[0]), ['broker far'], JSON.stringify(warnings));
			assert.match(warnings[0]?.text ?? '', /Redis at redis:\/\/192\.0\.2\.1:6379/);
		} finally {
			feed.stop();
			await opened.close();
		}
	});
});
