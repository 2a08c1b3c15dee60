// Live per-topic counting from the PSUBSCRIBE connection: every message on
// this Redis, whoever published it (eda, the Go tool, redis-cli). Counting is
// O(1) per message; the one-minute history is a ring of per-second buckets.

export const historySeconds = 60;
/** Only the head of a payload is kept for the "last payload" column. */
export const lastPayloadChars = 400;

export type LiveTopic = {
	/** Messages seen since the dashboard started. */
	seen: number;
	/** Per-second counts, oldest first once read through history(). */
	buckets: number[];
	/** The second (epoch s) bucket `head` holds. */
	headSecond: number;
	head: number;
	/** The head of the last payload, raw; sanitized when drawn. */
	last: string;
	lastAt: number;
};

export class TopicStats {
	readonly topics = new Map<string, LiveTopic>();

	record(topic: string, payload: string, nowMs = Date.now()): void {
		let live = this.topics.get(topic);
		const second = Math.floor(nowMs / 1000);
		if (!live) {
			live = {seen: 0, buckets: new Array<number>(historySeconds).fill(0), headSecond: second, head: 0, last: '', lastAt: 0};
			this.topics.set(topic, live);
		}
		advance(live, second);
		live.seen++;
		live.buckets[live.head] = (live.buckets[live.head] ?? 0) + 1;
		live.last = payload.length > lastPayloadChars ? payload.slice(0, lastPayloadChars) : payload;
		live.lastAt = nowMs;
	}

	/** Per-second counts for the last minute, oldest first; the last entry is the current, still-filling second. */
	history(topic: string, nowMs = Date.now()): number[] {
		const live = this.topics.get(topic);
		if (!live) return new Array<number>(historySeconds).fill(0);
		advance(live, Math.floor(nowMs / 1000));
		const out: number[] = [];
		for (let i = 1; i <= historySeconds; i++) out.push(live.buckets[(live.head + i) % historySeconds] ?? 0);
		return out;
	}

	/** Events/s over the last few complete seconds (the filling second would read low). */
	rate(topic: string, nowMs = Date.now(), seconds = 3): number {
		const history = this.history(topic, nowMs);
		let sum = 0;
		for (let i = history.length - 1 - seconds; i < history.length - 1; i++) sum += history[i] ?? 0;
		return sum / seconds;
	}
}

function advance(live: LiveTopic, second: number): void {
	const gap = second - live.headSecond;
	if (gap <= 0) return;
	for (let i = 1; i <= Math.min(gap, historySeconds); i++) live.buckets[(live.head + i) % historySeconds] = 0;
	live.head = (live.head + gap) % historySeconds;
	live.headSecond = second;
}

const blocks = ' ▁▂▃▄▅▆▇█';

/** A sparkline of `values` squeezed into `width` characters (max of each group). */
export function sparkline(values: number[], width: number): string {
	if (width <= 0) return '';
	const per = values.length / width;
	const groups: number[] = [];
	for (let i = 0; i < width; i++) {
		let max = 0;
		for (let j = Math.floor(i * per); j < Math.max(Math.floor((i + 1) * per), Math.floor(i * per) + 1); j++) max = Math.max(max, values[j] ?? 0);
		groups.push(max);
	}
	const top = Math.max(...groups);
	if (top === 0) return '·'.repeat(width);
	return groups.map((v) => (v === 0 ? '·' : blocks[Math.max(1, Math.round((v / top) * 8))])).join('');
}
