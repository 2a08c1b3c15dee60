// Failover on a real cluster with a replica per master: a master is killed
// under steady publishing. The producer answers 503 while the topic's slot
// has no master, 200 again once its replica took over; what the failover
// lost among events answered 200 is counted, with asynchronous replication
// as it is and with --wait-replicas 1 (zero then).
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {startProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {startTestCluster, type TestCluster} from './helpers/cluster.js';
import {request} from './helpers/http.js';
import {waitFor} from './helpers/redis.js';

let cluster: TestCluster;
let session: RedisSession;

before(async () => {
	cluster = await startTestCluster({replicas: 1, nodeTimeoutMs: 1000});
	session = await openRedisSession({url: cluster.url, cluster: true, say: () => undefined});
});

after(async () => {
	await session?.close();
	await cluster?.stop();
});

/** A topic whose master is not one of `avoid` (ports), and that master's port. */
async function topicOnAnotherMaster(prefix: string, avoid: number[]): Promise<{topic: string; port: number}> {
	for (let i = 0; ; i++) {
		const topic = `${prefix}.${i}`;
		const owner = await cluster.masterOf(keys.stream(topic));
		if (!avoid.includes(owner.port)) return {topic, port: owner.port};
	}
}

type Run = {acked: number; refused: number; lost: number; refusedAfterKill: boolean; okAfterFailover: boolean};

/**
 * Publishes n=0,1,2… from eight callers at once; kills the topic's master after 50 acks,
 * starts it again after the first 503 (it rejoins as the replica of the
 * promoted one: with --wait-replicas 1 a master without a replica answers 503);
 * stops 30 acks after the first 503.
 */
async function publishThroughFailover(waitReplicas: number, topic: string, port: number): Promise<Run> {
	const producer = await startProducer({session, output: {emit: () => undefined}, port: 0, waitReplicas});
	try {
		await waitFor(async () => (await request(producer.url, '/healthz')).status === 200, 'the producer');
		const acked: number[] = [];
		let refused = 0;
		let okAfter = 0;
		let next = 0;
		let killing: Promise<void> | undefined;
		let restarting: Promise<void> | undefined;
		const node = cluster.nodes.find((x) => x.port === port);
		assert.ok(node);
		const started = Date.now();
		// Eight callers at once, as a loaded producer has: several events are in flight when the master dies.
		const sender = async () => {
			while (okAfter < 30) {
				const n = next++;
				const reply = await request(producer.url, `/topics/${topic}`, {contentType: 'application/json', body: JSON.stringify({n})});
				if (reply.status === 200) {
					acked.push(n);
					if (restarting) okAfter++;
				} else {
					assert.equal(reply.status, 503, reply.text);
					refused++;
					// Only once the replica took the slot: a master without persistence that
					// came back first would come back empty, and its replica would copy that.
					restarting ??= (async () => {
						await waitFor(async () => (await cluster.masterOf(keys.stream(topic))).port !== port, 'the replica to take the slot over', 30_000);
						await cluster.restart(node);
					})();
					await restarting;
				}
				if (acked.length >= 50) killing ??= cluster.kill(node);
				if (Date.now() - started > 90_000) throw new Error(`no failover in 90 s (${acked.length} acknowledged, ${refused} refused)`);
			}
		};
		await Promise.all(Array.from({length: 8}, sender));
		await killing;
		// What the new master holds.
		const entries = await waitFor(() => cluster.client.xrange(keys.stream(topic), '-', '+') as Promise<[string, string[]][]>, 'the stream on the new master');
		const stored = new Set(entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('data') + 1] ?? '{}').n as number));
		const lost = acked.filter((n) => !stored.has(n)).length;
		return {acked: acked.length, refused, lost, refusedAfterKill: refused > 0, okAfterFailover: okAfter >= 30};
	} finally {
		await producer.close();
	}
}

test('a master killed under steady publishing: 503 in the gap, 200 after the replica took over; losses counted without and with --wait-replicas 1', async () => {
	const first = await topicOnAnotherMaster('fo.async', []);
	const plain = await publishThroughFailover(0, first.topic, first.port);
	// The second run on another shard.
	const second = await topicOnAnotherMaster('fo.wait', [first.port, ...(await promotedPorts(first.port))]);
	const waited = await publishThroughFailover(1, second.topic, second.port);
	console.log(`failover figures: async replication ${JSON.stringify(plain)}; --wait-replicas 1 ${JSON.stringify(waited)}`);
	for (const run of [plain, waited]) {
		assert.ok(run.refusedAfterKill, 'the gap was answered 503');
		assert.ok(run.okAfterFailover, '200 again after the failover');
	}
	assert.equal(waited.lost, 0, 'with --wait-replicas 1 no acknowledged event is lost');
});

/** The ports of masters that were replicas at the start (promoted by the first failover). */
async function promotedPorts(killed: number): Promise<number[]> {
	const now = await cluster.masterPorts();
	return now.filter((p) => p !== killed && !cluster.nodes.slice(0, 3).some((n) => n.port === p));
}
