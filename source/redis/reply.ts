// Reading Redis's flat field-list replies (HGETALL as an array, XINFO, a script's
// {field, value, …} table) the one way every reader needs.

/** A flat [field, value, field, value, …] reply as a Map; anything else is empty. */
export function fieldMap(flat: unknown): Map<string, string> {
	const map = new Map<string, string>();
	if (!Array.isArray(flat)) return map;
	for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), String(flat[i + 1]));
	return map;
}
