// Every Redis key and topic the concept labs use, under `eda:lab:` (keys) and
// `lab.` (topics), so a lab never touches anyone else's data and one look at a
// key says which lab it belongs to.

export const labTopicPrefix = 'lab.';

export const labKeys = {
	orders: {
		/** HASH per order: each service's own fields (payment, stock, shipment, terminal, notified). */
		order: (orderId: string) => `eda:lab:orders:order:${orderId}`,
		/** HASH of counters: created, taken, refunded, reserved, released, shipped, cancelled, notified, violations. */
		counters: 'eda:lab:orders:counters',
	},
	cqrs: {
		/** HASH per order on the write side: state (JSON), version, changedAt (Redis ms). */
		write: (orderId: string) => `eda:lab:cqrs:write:${orderId}`,
		/** ZSET orderId -> placed at (Redis ms): the write side's index. */
		writeIndex: 'eda:lab:cqrs:write-index',
		/** HASH per order on the read side: state (JSON), version, writtenAt, appliedAt, by. */
		read: (orderId: string) => `eda:lab:cqrs:read:${orderId}`,
		/** ZSET orderId -> placed at: what GET /queries/orders lists. */
		readIndex: 'eda:lab:cqrs:read-index',
		/** HASH of counters: commands, rejected, events, applied, skipped, duplicates. */
		stats: 'eda:lab:cqrs:stats',
		/** HASH event id -> times handled, per consumer group (expires an hour after the last event). */
		handled: (group: string) => `eda:lab:cqrs:handled:${group}`,
	},
} as const;

/** How long per-order lab state lives after its last change. */
export const labStateTtlMs = 3_600_000;
