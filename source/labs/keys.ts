// Every Redis key and topic the concept labs use, under `eda:` with the lab's
// own hash tag (keys) and `lab.` (topics), so a lab never touches anyone
// else's data and one look at a key says which lab it belongs to. Every key a
// lab's script touches shares that tag, so the script can run on Redis Cluster
// (redis/keys.ts): the orders lab's tag is `{lab:orders}`; the CQRS lab's is
// its topic's, `{lab.cqrs.orders}`, because its write script stores the order
// and appends its event to the topic's stream in one step.

export const labTopicPrefix = 'lab.';

/** The CQRS lab's topic: its events, and the hash tag of all its keys. */
export const cqrsTopic = `${labTopicPrefix}cqrs.orders`;

const ordersTag = '{lab:orders}';
const cqrsTag = `{${cqrsTopic}}`;

export const labKeys = {
	orders: {
		/** HASH per order: each service's own fields (payment, stock, shipment, terminal, notified). */
		order: (orderId: string) => `eda:${ordersTag}:order:${orderId}`,
		/** HASH of counters: created, taken, refunded, reserved, released, shipped, cancelled, notified, violations. */
		counters: `eda:${ordersTag}:counters`,
	},
	cqrs: {
		/** HASH per order on the write side: state (JSON), version, changedAt (Redis ms). */
		write: (orderId: string) => `eda:${cqrsTag}:write:${orderId}`,
		/** ZSET orderId -> placed at (Redis ms): the write side's index. */
		writeIndex: `eda:${cqrsTag}:write-index`,
		/** HASH per order on the read side: state (JSON), version, writtenAt, appliedAt, by. */
		read: (orderId: string) => `eda:${cqrsTag}:read:${orderId}`,
		/** ZSET orderId -> placed at: what GET /queries/orders lists. */
		readIndex: `eda:${cqrsTag}:read-index`,
		/** HASH of counters: commands, rejected, events, applied, skipped, duplicates. */
		stats: `eda:${cqrsTag}:stats`,
		/** HASH event id -> times handled, per consumer group (expires an hour after the last event). */
		handled: (group: string) => `eda:${cqrsTag}:handled:${group}`,
	},
} as const;

/** How long per-order lab state lives after its last change. */
export const labStateTtlMs = 3_600_000;
