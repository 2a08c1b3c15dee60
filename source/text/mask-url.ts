// URLs carry credentials (redis://:password@host): whatever eda shows a user
// (status bar, logs, error lines, /healthz) goes through here first.

/** Shown in place of a password. */
export const masked = '***';

/**
 * `scheme://user:password@` anywhere in a text; the password runs to the last
 * @ of the word, except that it never runs over the next seed of a list that
 * is masked already (`,redis://:***@`): a line naming a cluster's seeds, each
 * masked by maskUrl, keeps every seed instead of only the last.
 */
const credentials = /\b([a-z][a-z\d+.-]*:\/\/[^\s:@/]*:)(?:(?!,[a-z][a-z\d+.-]*:\/\/[^\s:@/]*:\*\*\*@)\S)*@/gi;
/**
 * ?password=... or &password=... (ioredis reads options from the query); a
 * value masked already that the next seed of a list follows stays as it is.
 */
const queryPassword = /([?&]password=)(?:\*\*\*(?=,[a-z][a-z\d+.-]*:\/\/)|[^&#\s]*)/gi;

/** Every password in a text (an error message, say) masked. */
export function maskSecrets(text: string): string {
	return text.replace(credentials, `$1${masked}@`).replace(queryPassword, `$1${masked}`);
}

/** A URL for display: its password (also a ?password= option) masked, no trailing slash. */
export function maskUrl(url: string): string {
	// A cluster's seeds (--cluster): each one masked on its own.
	const seeds = url.split(/,(?=\s*rediss?:\/\/)/i);
	if (seeds.length > 1) return seeds.map((seed) => maskUrl(seed.trim())).join(',');
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		// Not a URL (a space in it, say): everything from user: to the last @ is taken for the password.
		return maskSecrets(url.replace(/^([a-z][a-z\d+.-]*:\/\/[^:@/\s]*:).*@/is, `$1${masked}@`));
	}
	if (parsed.password) parsed.password = masked;
	if (parsed.searchParams.has('password')) parsed.searchParams.set('password', masked);
	// searchParams.set encodes * as %2A; show the plain mask.
	return parsed.toString().replace(/\/$/, '').replaceAll('%2A%2A%2A', masked);
}

/** Whether a URL carries a password (in its userinfo or its query). */
export function urlHasPassword(url: URL): boolean {
	return url.password !== '' || (url.searchParams.get('password') ?? '') !== '';
}
