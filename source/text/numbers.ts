// Numbers short enough for a column: counts, rates and money.

const units = [
	['k', 1e3],
	['M', 1e6],
	['G', 1e9],
] as const;

/**
 * A count in at most 5 characters: 999, 9999, 12.3k, 123k, 4.56M, 45.6M, 1.20G.
 * Three significant digits from ten thousand up; each size is rounded first,
 * so 999_999 is "1.00M", never "1000k".
 */
export function count(n: number): string {
	if (n < 10_000) return String(n);
	for (const [suffix, size] of units) {
		for (const decimals of [2, 1, 0]) {
			const scale = 10 ** decimals;
			const rounded = Math.round((n / size) * scale) / scale;
			if (rounded < 1000 / scale) return `${rounded.toFixed(decimals)}${suffix}`;
		}
	}
	return `${Math.round(n / 1e9)}G`;
}

/** Events a second: "0" when idle, "0.4" and "9.9" below ten, then like count(). */
export function rate(perSecond: number): string {
	if (perSecond === 0) return '0';
	const tenths = Math.round(perSecond * 10);
	if (tenths < 100) return (tenths / 10).toFixed(1);
	return count(Math.round(perSecond));
}

/** Cents as dollars: 1234 → "$12.34", -50 → "-$0.50". */
export function money(cents: number): string {
	return `${cents < 0 ? '-' : ''}$${(Math.abs(cents) / 100).toFixed(2)}`;
}
