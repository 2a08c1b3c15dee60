// Durations and countdowns for people. A due time in the past is "overdue",
// never "ago": an overdue event is late work, not history.

/** 850 → "850ms", 12_300 → "12.3s", 125_000 → "2m5s", 7_500_000 → "2h5m". */
export function humanMs(ms: number): string {
	const abs = Math.max(0, Math.round(ms));
	if (abs < 1000) return `${abs}ms`;
	if (abs < 10_000) return `${(abs / 1000).toFixed(1).replace(/\.0$/, '')}s`;
	if (abs < 60_000) return `${Math.round(abs / 1000)}s`;
	if (abs < 3_600_000) {
		const m = Math.floor(abs / 60_000);
		const s = Math.round((abs % 60_000) / 1000);
		return s === 0 || s === 60 ? `${s === 60 ? m + 1 : m}m` : `${m}m${s}s`;
	}
	const h = Math.floor(abs / 3_600_000);
	const m = Math.round((abs % 3_600_000) / 60_000);
	return m === 0 || m === 60 ? `${m === 60 ? h + 1 : h}h` : `${h}h${m}m`;
}

/** A countdown to `due` at `now` (both Redis ms): "in 3s", "now" or "overdue 3s". */
export function countdown(due: number, now: number): string {
	const left = due - now;
	if (Math.abs(left) < 500) return left >= 0 ? `in ${humanMs(left)}` : 'now';
	return left > 0 ? `in ${humanMs(left)}` : `overdue ${humanMs(-left)}`;
}

/** How long ago something finished (for finished things only: died, done). */
export function since(at: number, now: number): string {
	return `${humanMs(now - at)} ago`;
}
