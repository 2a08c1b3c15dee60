// In/out rates per deferred stage from the stats counters and the stage sizes.
// Each stage has one flow a counter measures directly (promoted, claimed,
// dead); the other follows from the size change, so events the Go tool pushes
// straight onto message:queue are counted too.

export type StageName = 'scheduled' | 'ready' | 'inflight' | 'dead';
export const stageNames: StageName[] = ['scheduled', 'ready', 'inflight', 'dead'];

export type Counts = Record<StageName, number>;
export type Counters = {enqueued: number; promoted: number; claimed: number; done: number; retried: number; dead: number};

export type Sample = {at: number; counts: Counts; counters: Counters};

export type StageFlow = {inRate: number; outRate: number; trend: 'growing' | 'draining' | 'steady'};

/** Seconds of history the rates average over. */
export const rateWindowMs = 5000;

export class QueueRates {
	private samples: Sample[] = [];

	add(sample: Sample): void {
		this.samples.push(sample);
		while (this.samples.length > 2 && (this.samples[1]?.at ?? 0) <= sample.at - rateWindowMs) this.samples.shift();
	}

	flows(): Record<StageName, StageFlow> {
		const first = this.samples[0];
		const last = this.samples.at(-1);
		const flows = {} as Record<StageName, StageFlow>;
		for (const stage of stageNames) flows[stage] = {inRate: 0, outRate: 0, trend: 'steady'};
		if (!first || !last || last.at <= first.at) return flows;
		const seconds = (last.at - first.at) / 1000;
		const d = (name: keyof Counters) => Math.max(0, last.counters[name] - first.counters[name]);
		const grew = (stage: StageName) => last.counts[stage] - first.counts[stage];
		const known: Record<StageName, {flow: 'in' | 'out'; amount: number}> = {
			scheduled: {flow: 'out', amount: d('promoted')},
			ready: {flow: 'out', amount: d('claimed')},
			inflight: {flow: 'in', amount: d('claimed')},
			dead: {flow: 'in', amount: d('dead')},
		};
		for (const stage of stageNames) {
			const {flow, amount} = known[stage];
			const change = grew(stage);
			const inAmount = flow === 'in' ? amount : Math.max(0, amount + change);
			const outAmount = flow === 'out' ? amount : Math.max(0, amount - change);
			flows[stage] = {
				inRate: inAmount / seconds,
				outRate: outAmount / seconds,
				trend: change > 0 ? 'growing' : change < 0 ? 'draining' : 'steady',
			};
		}
		return flows;
	}
}
