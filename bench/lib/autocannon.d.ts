// The part of autocannon's programmatic API the benches use (it ships no types).
declare module 'autocannon' {
	type Histogram = {
		average: number;
		mean: number;
		stddev: number;
		min: number;
		max: number;
		total: number;
		p50: number;
		p90: number;
		p97_5: number;
		p99: number;
		sent?: number;
	};
	export type Result = {
		duration: number;
		errors: number;
		timeouts: number;
		non2xx: number;
		'2xx': number;
		statusCodeStats: Record<string, {count: number}>;
		requests: Histogram;
		latency: Histogram;
		throughput: Histogram;
	};
	export type Options = {
		url: string;
		connections?: number;
		duration?: number;
		pipelining?: number;
		timeout?: number;
		overallRate?: number;
		method?: string;
		headers?: Record<string, string>;
		body?: string | Buffer;
		title?: string;
	};
	export type Instance = {stop(): void};
	function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;
	export default autocannon;
}
