// Each topic's rate over the last 15 minutes, in 10-second buckets, counted
// from the PSUBSCRIBE feed in this process: it starts empty when the dashboard
// starts. O(1) per message, 90 numbers per topic.

export const longBucketMs = 10_000;
export const longBuckets = 90;

type Ring = {buckets: number[]; head: number; headBucket: number};

export class RateHistory {
	private readonly topics = new Map<string, Ring>();

	record(topic: string, nowMs = Date.now()): void {
		const bucket = Math.floor(nowMs / longBucketMs);
		let ring = this.topics.get(topic);
		if (!ring) {
			ring = {buckets: new Array<number>(longBuckets).fill(0), head: 0, headBucket: bucket};
			this.topics.set(topic, ring);
		}
		advance(ring, bucket);
		ring.buckets[ring.head] = (ring.buckets[ring.head] ?? 0) + 1;
	}

	/** Events per second in each 10 s of the last 15 minutes, oldest first (the last still filling). */
	perSecond(topic: string, nowMs = Date.now()): number[] {
		const ring = this.topics.get(topic);
		if (!ring) return new Array<number>(longBuckets).fill(0);
		advance(ring, Math.floor(nowMs / longBucketMs));
		const out: number[] = [];
		for (let i = 1; i <= longBuckets; i++) out.push((ring.buckets[(ring.head + i) % longBuckets] ?? 0) / (longBucketMs / 1000));
		return out;
	}
}

function advance(ring: Ring, bucket: number): void {
	const gap = bucket - ring.headBucket;
	if (gap <= 0) return;
	for (let i = 1; i <= Math.min(gap, longBuckets); i++) ring.buckets[(ring.head + i) % longBuckets] = 0;
	ring.head = (ring.head + gap) % longBuckets;
	ring.headBucket = bucket;
}
