// Every Redis key and channel `eda` touches, in one place. The names that the
// article's Go tool uses (`message:queue`, channel `master`, channel `<topic>`)
// are kept as they are so both tools can share one Redis; everything of our own
// lives under `eda:` and says what it holds.
//
// Hash tags: every key one Lua script touches, passed in KEYS or built inside
// the script from a prefix (an event's record from its id), carries the same
// `{tag}`, so it lands in one Redis Cluster slot and the script can run on a
// cluster (as BullMQ's `bull:{queue}:…` and asynq's `asynq:{queue}:…` keys do).
// A topic's keys carry `{<topic>}`; the deferred keys carry `{message:queue}`,
// which hashes like the Go tool's list `message:queue` (a key without braces
// hashes whole), so that list sits in their slot without being renamed; the
// heartbeats carry `{actors}`. Topic names cannot hold braces (topics/names.ts),
// so a topic's tag is always the whole name. test/cluster-slots.test.ts runs
// every script on a Redis Cluster node that refuses a key of another slot.

export const goCompat = {
	/** The deferred work queue: LPUSH by masters, taken from the right by workers. */
	workQueue: 'message:queue',
	/** Channel the Go api-server publishes deferred events on. */
	masterChannel: 'master',
} as const;

/** The deferred queue eda uses when none is named: the Go tool's. */
export const defaultQueue = goCompat.workQueue;

/**
 * The keys of one deferred queue, all under the tag `{<queue>}`. The default
 * queue's list is the Go tool's `message:queue` (which hashes like the tag
 * `{message:queue}`); a named queue's is `eda:{<name>}:queue`, so each named
 * queue has a slot of its own and queues spread over a cluster's masters.
 */
export function deferredKeys(queue: string) {
	const tag = `{${queue}}`;
	const named = queue !== goCompat.workQueue;
	return {
		queue,
		/** LIST of ready bodies: LPUSH by masters, taken from the right by workers. */
		work: named ? `eda:${tag}:queue` : goCompat.workQueue,
		/** STRING counter for event ids. */
		seq: `eda:${tag}:seq`,
		/** HASH per event: body, state, attempts, due, times, last error. */
		event: (id: string) => `eda:${tag}:event:${id}`,
		/** ZSET id -> due ms. */
		scheduled: `eda:${tag}:scheduled`,
		/** LIST of ids whose body sits in the work list, per sha1 of the body. */
		idsForBody: (sha1: string) => `eda:${tag}:ids:${sha1}`,
		/** ZSET id -> lease expiry ms. */
		inflight: `eda:${tag}:inflight`,
		/** ZSET id -> ms it died. */
		dead: `eda:${tag}:dead`,
		/**
		 * HASH of counters since the start: enqueued, promoted, claimed, done,
		 * retried, expired (leases returned), dead, retriedByHand, taken (by a
		 * worker that keeps no record). Written by the deferred scripts only.
		 */
		stats: `eda:${tag}:stats`,
		/** STRING lock: which master takes the Go tool's `master` channel. */
		channelLeader: `eda:${tag}:channel-leader`,
		/** Channel (no slot): published when events became ready, to wake idle workers. */
		readyChannel: named ? `eda:deferred:ready:${queue}` : 'eda:deferred:ready',
		/** Channel (no slot): published when an event is scheduled, to wake masters. */
		scheduledChannel: named ? `eda:deferred:scheduled:${queue}` : 'eda:deferred:scheduled',
	};
}

export type DeferredKeys = ReturnType<typeof deferredKeys>;

/** SET of named deferred queues (spans queues: written outside the per-queue scripts), for discovery. */
export const queuesIndex = 'eda:queues';

export const keys = {
	/**
	 * HASH topic -> ms (Redis time) the topic was first seen: the index of
	 * topic names, written once per topic. It spans topics, so no per-topic
	 * script writes it: the client enters a topic before its first publish or
	 * group (topics/index.ts). Counts and the last event's time come from the
	 * stream (XINFO STREAM); only the names are read.
	 */
	topics: 'eda:topics',
	/** STREAM of envelopes for one topic, capped with MAXLEN ~. */
	stream: (topic: string) => `eda:{${topic}}:stream`,

	/** ZSET actor name -> expiry ms; the index of live heartbeats. */
	actors: 'eda:{actors}:index',
	/** HASH with one actor's heartbeat; expires when the actor stops beating. */
	actor: (name: string) => `eda:{actors}:actor:${name}`,

	mesh: {
		/**
		 * ZSET "<source> <id>" -> Redis ms it was stored here by the mesh: the
		 * dedupe window of one topic (mesh/bridge.ts). On the topic's slot, so
		 * the check, the XADD and the PUBLISH are one script.
		 */
		seen: (topic: string) => `eda:{${topic}}:mesh:seen`,
		/**
		 * HASH floor, cap: how far the topic's stream may be trimmed while the
		 * mesh forwards from it (topics/stream-lua.ts builds this name from the
		 * stream's, so keep the two in step).
		 */
		hold: (topic: string) => `eda:{${topic}}:mesh:hold`,
		/**
		 * HASH "<pattern> <broker>" -> JSON {dist, via, since}: where this broker
		 * can deliver interest in a topic or pattern, and through which neighbour
		 * (mesh/interest.ts). Neighbours read it to learn routes hop by hop.
		 */
		routes: 'eda:{mesh}:routes',
		/** HASH "<from>><to>" -> JSON link state and figures, written by each bridge to every broker it reaches. */
		links: 'eda:{mesh}:links',
	},

	/** The default queue's keys (`message:queue`, the Go tool's); deferredKeys() gives a named queue's. */
	deferred: deferredKeys(goCompat.workQueue),

	portal: {
		/** LIST of a topic's declared schema versions (JSON of portal/registry.ts's Declared), version 1 first. */
		schemaVersions: (topic: string) => `eda:{${topic}}:schema:versions`,
		/** STRING count of events stored in warn mode though they failed the declared schema. */
		schemaFlagged: (topic: string) => `eda:{${topic}}:schema:flagged`,
		/** SET of topics with a declared schema. It spans topics, so it is written outside the per-topic script. */
		declared: 'eda:portal:declared',
		/** Channel (no slot): published on every registration, so producers drop their cached schema at once. */
		schemasChannel: 'eda:portal:schemas',
		/** SET of topics the catalog holds (written outside the per-topic scripts: it spans topics). */
		catalogTopics: 'eda:portal:catalog',
		/**
		 * HASH: one topic's inferred catalog: the writer's epoch, the stream
		 * position read up to, how the topic travels, and one field per
		 * CloudEvents type (`entry:` + entrySuffix) holding that entry as JSON.
		 */
		catalog: (topic: string) => `eda:{${topic}}:catalog`,
		/** LIST of JSON versions of one entry, capped; the type's suffix comes from catalog.ts's entrySuffix(). */
		versions: (topic: string, suffix = '') => `eda:{${topic}}:catalog:versions${suffix}`,
		/** STRING lease: which portal watcher writes the catalog (SET NX PX, renewed). */
		leader: 'eda:portal:leader',
	},
} as const;

/** Topics that cannot be published to: `master` is the Go tool's deferred channel. */
export const reservedTopics = new Set(['master']);

/**
 * Topic names that cannot be published to because a topic is PUBLISHed on the
 * channel of its name: `eda:` channels wake eda's own masters and workers
 * (eda:deferred:ready, eda:deferred:scheduled), `__redis__` ones are Redis's
 * (client-side caching invalidation) and `__sentinel__` ones are how Redis
 * Sentinels find each other on a monitored master (a stray hello there
 * confuses them).
 */
export const reservedTopicPrefixes = [
	{prefix: 'eda:', whose: "eda's own channels"},
	{prefix: '__redis__', whose: "Redis's own channels"},
	{prefix: '__sentinel__', whose: "Redis Sentinel's own channels"},
] as const;
