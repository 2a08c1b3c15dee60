// A Redis reached across the network with no password and no TLS: anyone on
// the way can read every event and change any queue. Said once, at start.
import {isLoopbackHost} from '../net/loopback.js';
import {maskUrl, urlHasPassword} from '../text/mask-url.js';

/** One warning line for a non-loopback redis:// URL with no password; undefined otherwise. */
export function cleartextWarning(url: string): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return undefined;
	}
	if (parsed.protocol === 'rediss:' || urlHasPassword(parsed) || isLoopbackHost(parsed.hostname)) return undefined;
	return `Warning: Redis at ${maskUrl(url)} is reached with no password and no TLS; anyone on the network can read and change the events. Use rediss:// and a password (rediss://:password@host:port).`;
}
