// --wait-replicas: WAIT on the connection that wrote, on the master that owns
// the key, before the producer answers 200.
import type {Cluster, Redis} from 'ioredis';
import {isCluster} from './connect.js';

/** CRC16/XMODEM, the checksum Redis Cluster hashes keys with. */
function crc16(bytes: Buffer): number {
	let crc = 0;
	for (const byte of bytes) {
		crc ^= byte << 8;
		for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
	}
	return crc;
}

/** A key's cluster slot: the text inside its first {…} when that is not empty, else the whole key. */
export function keySlot(key: string): number {
	const open = key.indexOf('{');
	const close = open === -1 ? -1 : key.indexOf('}', open + 1);
	const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
	return crc16(Buffer.from(hashed, 'utf8')) % 16_384;
}

/**
 * How many replicas acknowledged every write made so far on the connection
 * that wrote `key`: on a cluster, the connection to the master of its slot
 * (where the write went); on a single node, the client itself.
 */
export async function waitReplicas(redis: Redis, key: string, replicas: number, timeoutMs: number): Promise<number> {
	if (!isCluster(redis)) return Number(await redis.wait(replicas, timeoutMs));
	const cluster = redis as unknown as Cluster & {slots: string[][]};
	const owner = cluster.slots[keySlot(key)]?.[0];
	const node = cluster.nodes('master').find((n) => `${n.options.host ?? ''}:${n.options.port ?? ''}` === owner);
	if (!node) throw new Error(`no master known for the slot of ${key}`);
	return Number(await node.wait(replicas, timeoutMs));
}
