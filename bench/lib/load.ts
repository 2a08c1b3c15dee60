// One autocannon run, summed up in the figures the benches report.
import autocannon, {type Result} from 'autocannon';

export type LoadOptions = {
	url: string;
	connections: number;
	durationS: number;
	body: string;
	contentType: string;
	/** Requests a second over all connections (autocannon's overallRate); unset: as fast as the server answers. */
	overallRate?: number;
};

export type LoadFigures = {
	/** Mean of the per-second request counts (autocannon's requests.average). */
	rps: number;
	p50Ms: number;
	p99Ms: number;
	ok2xx: number;
	non2xx: number;
	errors: number;
	timeouts: number;
	durationS: number;
	statusCodes: Record<string, number>;
};

export function fire(options: LoadOptions): Promise<LoadFigures> {
	return new Promise((resolve, reject) => {
		const guard = setTimeout(() => {
			instance.stop();
			reject(new Error(`autocannon did not finish within ${options.durationS + 30} s`));
		}, (options.durationS + 30) * 1000);
		const instance = autocannon(
			{
				url: options.url,
				connections: options.connections,
				duration: options.durationS,
				method: 'POST',
				headers: {'content-type': options.contentType},
				body: options.body,
				timeout: 10,
				...(options.overallRate ? {overallRate: options.overallRate} : {}),
			},
			(error: Error | null, result: Result) => {
				clearTimeout(guard);
				if (error) {
					reject(error);
					return;
				}
				const statusCodes: Record<string, number> = {};
				for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count;
				resolve({
					rps: result.requests.average,
					p50Ms: result.latency.p50,
					p99Ms: result.latency.p99,
					ok2xx: result['2xx'],
					non2xx: result.non2xx,
					errors: result.errors,
					timeouts: result.timeouts,
					durationS: result.duration,
					statusCodes,
				});
			},
		);
	});
}
