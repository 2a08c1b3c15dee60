// A real Redis Cluster on this machine for a test file: 3 masters on free
// ports (each with its bus port, port + 10000, free too), optionally a replica
// per master, made by `redis-cli --cluster create`. Stopped and removed by stop().
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {Cluster, Redis} from 'ioredis';
import {freePort, portAnswers, startPrivateRedis, type PrivateRedis} from '../../source/redis/private-server.js';
import {waitFor} from './redis.js';

const run = promisify(execFile);

export type ClusterNode = {port: number; url: string; server: PrivateRedis; dir: string};

export type TestCluster = {
	/** Comma-separated seed URLs, as --redis-url takes them with --cluster. */
	url: string;
	nodes: ClusterNode[];
	/** A cluster client for assertions; closed by stop(). */
	client: Cluster;
	/** The node (from `nodes`) that serves a key's slot as master right now. */
	masterOf(key: string): Promise<ClusterNode>;
	/** Ports of the masters right now. */
	masterPorts(): Promise<number[]>;
	/** SIGKILL one node. */
	kill(node: ClusterNode): Promise<void>;
	/** Starts a killed node again on its port and folder: it rejoins (as a replica once its slots moved). */
	restart(node: ClusterNode): Promise<void>;
	stop(): Promise<void>;
};

/** A port whose bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
	for (;;) {
		const port = await freePort();
		if (port > 55_000 || taken.has(port) || taken.has(port + 10_000)) continue;
		if (await portAnswers(port + 10_000)) continue;
		taken.add(port);
		taken.add(port + 10_000);
		return port;
	}
}

/** Starts 3 masters (and `replicas` replicas per master), waits for cluster_state:ok on every node. */
export async function startTestCluster(options: {replicas?: number; nodeTimeoutMs?: number} = {}): Promise<TestCluster> {
	const replicas = options.replicas ?? 0;
	const count = 3 * (1 + replicas);
	const taken = new Set<number>();
	const nodes: ClusterNode[] = [];
	const nodeArgs = ['--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000), '--cluster-require-full-coverage', 'yes'];
	try {
		for (let i = 0; i < count; i++) {
			const port = await clusterPort(taken);
			const dir = mkdtempSync(path.join(os.tmpdir(), 'eda-test-cluster-'));
			const server = await startPrivateRedis({port, dir, cluster: true, extraArgs: nodeArgs});
			nodes.push({port, url: server.url, server, dir});
		}
		await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'], {timeout: 30_000});
		for (const node of nodes) {
			const probe = new Redis(node.url, {lazyConnect: true, maxRetriesPerRequest: 1});
			probe.on('error', () => undefined);
			try {
				await waitFor(async () => String(await probe.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), `node ${node.port} to see the whole cluster`, 20_000);
				if (replicas > 0) await waitFor(async () => /master_link_status:up|role:master/.test(await probe.info('replication')), `node ${node.port} in sync`, 20_000);
			} finally {
				probe.disconnect();
			}
		}
	} catch (error) {
		for (const node of nodes) await node.server.stop();
		for (const node of nodes) rmSync(node.dir, {recursive: true, force: true});
		throw error;
	}
	const client = new Cluster(nodes.slice(0, 3).map((n) => ({host: '127.0.0.1', port: n.port})), {clusterRetryStrategy: () => 100, retryDelayOnFailover: 200});
	client.on('error', () => undefined);
	await waitFor(() => client.status === 'ready', 'the assertion client');

	const byPort = (port: number) => {
		const node = nodes.find((n) => n.port === port);
		if (!node) throw new Error(`no node on port ${port}`);
		return node;
	};
	return {
		url: nodes.slice(0, 3).map((n) => n.url).join(','),
		nodes,
		client,
		async masterOf(key) {
			const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
			const shards = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
			const owner = shards.find(([from, to]) => slot >= from && slot <= to);
			if (!owner) throw new Error(`no master serves slot ${slot}`);
			return byPort(Number(owner[2][1]));
		},
		async masterPorts() {
			const shards = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
			return [...new Set(shards.map((s) => Number(s[2][1])))].sort();
		},
		async kill(node) {
			const gone = new Promise((resolve) => node.server.process.once('exit', resolve));
			node.server.process.kill('SIGKILL');
			await gone;
		},
		async restart(node) {
			node.server = await startPrivateRedis({port: node.port, dir: node.dir, cluster: true, extraArgs: nodeArgs});
		},
		async stop() {
			client.disconnect();
			await Promise.all(nodes.map((n) => n.server.stop()));
			for (const node of nodes) rmSync(node.dir, {recursive: true, force: true});
		},
	};
}
