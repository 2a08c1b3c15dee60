// Text from the network must never drive the terminal: a payload could move the
// cursor, recolour the screen, set the title or ring the bell. Every C0 and C1
// control character and DEL is replaced with a visible escape, so `\x1b[2J`
// shows as the six characters `\x1b[2J` and does nothing.

const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const named: Record<string, string> = {
	'\n': '\\n',
	'\r': '\\r',
	'\t': '\\t',
};

function visible(ch: string): string {
	const named_ = named[ch];
	if (named_) return named_;
	const code = ch.codePointAt(0) ?? 0;
	return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Makes every control character visible; the result is safe to write to a terminal. */
export function sanitize(text: string): string {
	return text.replace(controls, visible);
}

/** JSON.stringify leaves C1 controls and U+2028/9 raw; escape them too for terminal output. */
export function safeJson(value: unknown): string {
	return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) =>
		`\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
	);
}
