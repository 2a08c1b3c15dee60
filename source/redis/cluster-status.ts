// What the status bar and GET /healthz show of a Redis Cluster: masters up,
// slots covered, and the nodes each of this process's connections talks to.
import type {Cluster, Redis} from 'ioredis';

export type ClusterStatus = {
	mastersUp: number;
	masters: number;
	/** Slots served by a master that is up (16384 when the cluster is whole). */
	slotsCovered: number;
	/** Each named connection and the nodes (host:port) it has open. */
	connections: {name: string; nodes: string[]}[];
};

export const allSlots = 16_384;

/** One CLUSTER NODES line's slot ranges ("0-5460", "5461") as a count. */
function slotCount(ranges: string[]): number {
	let count = 0;
	for (const range of ranges) {
		if (range.startsWith('[')) continue; // a slot being migrated or imported
		const [from, to = from] = range.split('-').map(Number);
		if (from !== undefined && to !== undefined && Number.isInteger(from) && Number.isInteger(to)) count += to - from + 1;
	}
	return count;
}

/** Reads CLUSTER NODES from any node, and which nodes each client is connected to. */
export async function readClusterStatus(client: Redis, named: [Redis, string][]): Promise<ClusterStatus> {
	const text = String(await client.call('CLUSTER', 'NODES'));
	let masters = 0;
	let mastersUp = 0;
	let slotsCovered = 0;
	for (const line of text.split('\n')) {
		const [, , flags = '', , , , , link = '', ...ranges] = line.trim().split(' ');
		if (!flags.split(',').includes('master')) continue;
		const down = /\bfail\b|fail\?|noaddr/.test(flags) || link !== 'connected';
		const slots = slotCount(ranges);
		// A failed master whose replica took its slots over is no longer one of the masters.
		if (down && slots === 0) continue;
		masters++;
		if (down) continue;
		mastersUp++;
		slotsCovered += slots;
	}
	const connections = named.map(([c, name]) => ({
		name,
		nodes: (c as unknown as Cluster)
			.nodes('all')
			.filter((node) => node.status === 'ready')
			.map((node) => `${node.options.host ?? ''}:${node.options.port ?? ''}`)
			.sort(),
	}));
	return {mastersUp, masters, slotsCovered, connections};
}

/** One line for the status bar: "cluster 3/3 masters, 16384/16384 slots, 9 connections on 3 nodes". */
export function clusterLine(status: ClusterStatus): string {
	const nodes = new Set(status.connections.flatMap((c) => c.nodes));
	return `cluster ${status.mastersUp}/${status.masters} masters, ${status.slotsCovered}/${allSlots} slots, ${status.connections.length} connections on ${nodes.size} nodes`;
}
