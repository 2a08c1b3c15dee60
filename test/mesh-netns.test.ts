// The mesh across a real network cut: broker b runs in a network namespace of
// its own, reached over a veth pair; `ip link set down` on our end cuts the
// link (packets go nowhere, as in a WAN partition), `up` heals it. Under a
// steady flow on a, b's totals come out exact, no envelope id twice. Needs
// root and `ip netns` (these machines have both); skipped, saying why, where
// they are missing.
import assert from 'node:assert/strict';
import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {after, before, describe, test} from 'node:test';
import {Redis} from 'ioredis';
import {readLinkStates} from '../source/mesh/figures.js';
import {keys} from '../source/redis/keys.js';
import {expectExactly, publishMany, routeKnown, startBrokers, startMesh, stopBrokers, type Brokers} from './helpers/mesh.js';
import {stopAllCli} from './helpers/process.js';
import {waitFor} from './helpers/redis.js';

const tag = `${process.pid % 10_000}`;
const ns = `eda-mesh-${tag}`;
const outer = `edam${tag}a`;
const inner = `edam${tag}b`;
// A /30 of its own per run: 10.<pid-derived>.x
const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const outerIp = `${subnet}.1`;
const innerIp = `${subnet}.2`;
const port = 6390;

function ip(...args: string[]): void {
	execFileSync('ip', args, {stdio: ['ignore', 'ignore', 'pipe']});
}

/** Why this machine cannot run the test, or undefined when it can. */
function unavailable(): string | undefined {
	if (process.getuid?.() !== 0) return 'needs root for ip netns';
	try {
		ip('netns', 'add', `${ns}-probe`);
		ip('netns', 'delete', `${ns}-probe`);
		return undefined;
	} catch (error) {
		return `ip netns is unavailable here (${String((error as {stderr?: Buffer}).stderr ?? error).trim().split('\n')[0]})`;
	}
}

const skip = unavailable();
let server: ChildProcess | undefined;
const started: Brokers[] = [];

function cleanupNetwork(): void {
	try {
		ip('link', 'delete', outer);
	} catch {
		// Gone with the namespace, or never made.
	}
	try {
		ip('netns', 'delete', ns);
	} catch {
		// Never made.
	}
}

before(async () => {
	if (skip) return;
	cleanupNetwork();
	ip('netns', 'add', ns);
	ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
	ip('link', 'set', inner, 'netns', ns);
	ip('addr', 'add', `${outerIp}/30`, 'dev', outer);
	ip('link', 'set', outer, 'up');
	ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${innerIp}/30`, 'dev', inner);
	ip('netns', 'exec', ns, 'ip', 'link', 'set', inner, 'up');
	ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
	server = spawn('ip', ['netns', 'exec', ns, 'redis-server', '--port', String(port), '--bind', innerIp, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'], {stdio: 'ignore'});
	const probe = new Redis(`redis://${innerIp}:${port}`, {lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null});
	probe.on('error', () => undefined);
	await waitFor(async () => {
		try {
			await probe.connect();
			return (await probe.ping()) === 'PONG';
		} catch {
			return false;
		}
	}, 'the redis-server in the namespace');
	probe.disconnect();
});

after(async () => {
	await stopAllCli();
	for (const brokers of started) await stopBrokers(brokers);
	server?.kill('SIGKILL');
	cleanupNetwork();
});

describe('eda mesh across a network namespace', () => {
	test('the link cut with ip link set down for 5 s under a steady flow, then healed: every event once on b', {skip}, async () => {
		const local = await startBrokers(['a']);
		started.push(local);
		const a = local.a!;
		const bUrl = `redis://${innerIp}:${port}`;
		const b = new Redis(bUrl, {maxRetriesPerRequest: null});
		b.on('error', () => undefined);
		try {
			await b.xgroup('CREATE', keys.stream('orders'), 'app', '$', 'MKSTREAM');
			await b.hsetnx(keys.topics, 'orders', Date.now());
			const mesh = await startMesh({a, b: {url: bUrl}}, ['a-b']);
			await routeKnown(a.client, 'orders', 'b');
			const sent: string[] = [];
			let flowing = true;
			const flow = (async () => {
				while (flowing) {
					sent.push(...(await publishMany(a.client, 'orders', 20, 'flow')));
					await new Promise((resolve) => setTimeout(resolve, 50));
				}
			})();
			await new Promise((resolve) => setTimeout(resolve, 1000));
			ip('link', 'set', outer, 'down');
			try {
				// The link says so, from a's side, with events behind it.
				await waitFor(async () => (await readLinkStates(a.client)).find((s) => s.link === 'a>b' && s.state === 'down' && s.backlog > 0), 'a>b down with a backlog', 20_000);
				await new Promise((resolve) => setTimeout(resolve, 3000));
			} finally {
				ip('link', 'set', outer, 'up');
			}
			await new Promise((resolve) => setTimeout(resolve, 1000));
			flowing = false;
			await flow;
			assert.ok(sent.length > 200, `a steady flow (${sent.length} events)`);
			await expectExactly(b, 'orders', sent, 'b in its namespace', 60_000);
			await waitFor(async () => (await readLinkStates(a.client)).find((s) => s.link === 'a>b' && s.state === 'up' && s.backlog === 0), 'a>b up and drained', 30_000);
			await mesh.stop();
		} finally {
			b.disconnect();
		}
	});
});
