// Durations and countdowns for people, one format everywhere (the panes, the
// labs, the headless commands): "850ms", "4.2s", "12s", "2m5s", "2h5m". Each
// size is rounded to its own precision first, so 59.6 s is "1m", never "60s".
// A due time in the past is "overdue", never "ago": an overdue event is late
// work, not history.

/** A length of time: 850 → "850ms", 4_250 → "4.3s", 125_000 → "2m5s", 7_500_000 → "2h5m". Below zero (clock skew) is "0ms". */
export function duration(ms: number): string {
	const value = Math.max(0, ms);
	const millis = Math.round(value);
	if (millis < 1000) return `${millis}ms`;
	const tenths = Math.round(value / 100);
	if (tenths < 100) return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}s`;
	const seconds = Math.round(value / 1000);
	if (seconds < 60) return `${seconds}s`;
	if (seconds < 3600) return join(Math.floor(seconds / 60), 'm', seconds % 60, 's');
	const minutes = Math.round(value / 60_000);
	return join(Math.floor(minutes / 60), 'h', minutes % 60, 'm');
}

/** "2m5s", or "2m" when the smaller part is zero. */
function join(big: number, bigUnit: string, small: number, smallUnit: string): string {
	return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`;
}

/**
 * A countdown to `due` at `now` (both Redis ms): "in 3s"; "now" for the first
 * half second past due (the master is about to move it); then "overdue 3s".
 */
export function countdown(due: number, now: number): string {
	const left = due - now;
	if (left >= 0) return `in ${duration(left)}`;
	return left > -500 ? 'now' : `overdue ${duration(-left)}`;
}

/** How long ago something finished (for finished things only: died, done): "3s ago". */
export function since(at: number, now: number): string {
	return `${duration(now - at)} ago`;
}
