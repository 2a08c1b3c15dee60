// Durations as people type them: flags, the publish form's delay, the
// producer's delay header all read "250ms", "30s", "2m", "1h" the same way.

const units: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000};

/**
 * "250ms", "30s", "2m", "1h"; a bare number takes `bareUnit` (seconds for
 * flags, milliseconds in HTTP). Returns ms, or undefined when it is not a duration.
 */
export function parseDuration(text: string, bareUnit: 'ms' | 's' = 's'): number | undefined {
	const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
	if (!match) return undefined;
	const value = Number(match[1]) * (units[match[2] ?? bareUnit] ?? 1);
	return Number.isFinite(value) ? Math.round(value) : undefined;
}
