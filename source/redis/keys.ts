// Every Redis key and channel `eda` touches, in one place. The names that the
// article's Go tool uses (`message:queue`, channel `master`, channel `<topic>`)
// are kept as they are so both tools can share one Redis; everything of our own
// lives under `eda:` and says what it holds.

export const goCompat = {
	/** The deferred work queue: LPUSH by masters, taken from the right by workers. */
	workQueue: 'message:queue',
	/** Channel the Go api-server publishes deferred events on. */
	masterChannel: 'master',
} as const;

export const keys = {
	/**
	 * HASH topic -> ms (Redis time) its stream was created: the index of topic
	 * names, written once per topic. Counts and the last event's time come from
	 * the stream (XINFO STREAM). Older eda versions kept counts here; only the
	 * names are read.
	 */
	topics: 'eda:topics',
	/** STREAM of envelopes for one topic, capped with MAXLEN ~. */
	stream: (topic: string) => `eda:stream:${topic}`,

	/** ZSET actor name -> expiry ms; the index of live heartbeats. */
	actors: 'eda:actors',
	/** HASH with one actor's heartbeat; expires when the actor stops beating. */
	actor: (name: string) => `eda:actor:${name}`,

	deferred: {
		/** STRING counter for event ids. */
		seq: 'eda:deferred:seq',
		/** HASH per event: body, state, attempts, due, times, last error. */
		event: (id: string) => `eda:deferred:event:${id}`,
		/** ZSET id -> due ms. */
		scheduled: 'eda:deferred:scheduled',
		/** LIST of ids whose body sits in message:queue, per sha1 of the body. */
		idsForBody: (sha1: string) => `eda:deferred:ids:${sha1}`,
		/** ZSET id -> lease expiry ms. */
		inflight: 'eda:deferred:inflight',
		/** ZSET id -> ms it died. */
		dead: 'eda:deferred:dead',
		/** HASH of counters: enqueued, promoted, claimed, done, retried, dead. */
		stats: 'eda:deferred:stats',
		/** STRING lock: which master takes the Go tool's `master` channel. */
		channelLeader: 'eda:deferred:channel-leader',
		/** Channel: published when events became ready, to wake idle workers. */
		readyChannel: 'eda:deferred:ready',
		/** Channel: published when an event is scheduled, to wake masters. */
		scheduledChannel: 'eda:deferred:scheduled',
	},
} as const;

/** Topics that cannot be published to: `master` is the Go tool's deferred channel. */
export const reservedTopics = new Set(['master']);

/**
 * Topic names that cannot be published to because a topic is PUBLISHed on the
 * channel of its name: `eda:` channels wake eda's own masters and workers
 * (eda:deferred:ready, eda:deferred:scheduled), `__redis__` ones are Redis's
 * (client-side caching invalidation).
 */
export const reservedTopicPrefixes = [
	{prefix: 'eda:', whose: "eda's own channels"},
	{prefix: '__redis__', whose: "Redis's own channels"},
] as const;
