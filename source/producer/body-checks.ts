// Checks on a request body before it is parsed or stored: its charset, that
// its bytes are UTF-8 (JSON must be, RFC 8259, and the stream holds text), and
// how deeply its JSON nests (a deeper value cannot be re-serialized safely).

/** The deepest JSON nesting accepted: arrays and objects inside one another. */
export const maxJsonDepth = 512;

/** The charset parameter of a Content-Type, lower-cased and unquoted; undefined when none is given. */
export function charsetOf(contentType: string | undefined): string | undefined {
	if (contentType === undefined || !contentType.includes(';')) return undefined;
	// Parameters one by one, a quoted value whole (RFC 9110 5.6.6): a `;charset=`
	// inside another parameter's quoted value is not the charset.
	const parameter = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
	for (const [, name = '', raw = ''] of contentType.matchAll(parameter)) {
		if (name.toLowerCase() !== 'charset') continue;
		const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.trim();
		return value.toLowerCase();
	}
	return undefined;
}

/** Whether a charset names UTF-8. */
export function isUtf8Charset(charset: string): boolean {
	return charset === 'utf-8' || charset === 'utf8';
}

/**
 * The offset of the first byte that does not belong to a valid UTF-8
 * sequence (overlong forms, surrogates and values past U+10FFFF are invalid).
 * Called only on a body isUtf8 refused, so it may be slow.
 */
export function firstInvalidUtf8(bytes: Buffer): number {
	let i = 0;
	while (i < bytes.length) {
		const b = bytes[i] as number;
		if (b < 0x80) {
			i++;
			continue;
		}
		let need: number;
		let low = 0x80;
		let high = 0xbf;
		if (b >= 0xc2 && b <= 0xdf) need = 1;
		else if (b >= 0xe0 && b <= 0xef) {
			need = 2;
			if (b === 0xe0) low = 0xa0;
			if (b === 0xed) high = 0x9f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3;
			if (b === 0xf0) low = 0x90;
			if (b === 0xf4) high = 0x8f;
		} else return i;
		for (let k = 1; k <= need; k++) {
			const c = bytes[i + k];
			if (c === undefined) return i;
			const min = k === 1 ? low : 0x80;
			const max = k === 1 ? high : 0xbf;
			if (c < min || c > max) return i;
		}
		i += need + 1;
	}
	return -1;
}

/**
 * Whether JSON text (already parsed, so well formed) nests arrays and objects
 * deeper than `maxJsonDepth`. Text shorter than two brackets a level cannot,
 * so a small body costs one comparison.
 */
export function nestsTooDeep(text: string): boolean {
	if (text.length <= maxJsonDepth * 2) return false;
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c) i++; // a backslash: skip the escaped character
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x5b || c === 0x7b) {
			if (++depth > maxJsonDepth) return true;
		} else if (c === 0x5d || c === 0x7d) depth--;
	}
	return false;
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Whether a string is an RFC 3339 date-time (the CloudEvents `time` format). */
export function isRfc3339(value: string): boolean {
	const m = rfc3339.exec(value);
	if (!m) return false;
	const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
	const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
	if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 60) return false;
	if (m[8] !== undefined && m[8].length > 1 && (Number(m[10]) > 23 || Number(m[11]) > 59)) return false;
	return true;
}
