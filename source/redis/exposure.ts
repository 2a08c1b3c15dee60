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
	return warning(url);
}

function warning(url: string): string {
	return `Warning: Redis at ${maskUrl(url)} is reached with no password and no TLS; anyone on the network can read and change the events. Use rediss:// and a password (rediss://:password@host:port).`;
}

/**
 * The warning for a cluster's seeds: the first seed's password and TLS go to
 * every node (connect.ts createCluster), so without them any seed beyond
 * loopback is reached in the clear, whatever it says itself.
 */
export function clusterCleartextWarning(seeds: readonly string[]): string | undefined {
	let first: URL;
	try {
		first = new URL(seeds[0] ?? '');
	} catch {
		return undefined;
	}
	if (first.protocol === 'rediss:' || urlHasPassword(first)) return undefined;
	const far = seeds.find((seed) => {
		try {
			return !isLoopbackHost(new URL(seed).hostname);
		} catch {
			return false;
		}
	});
	if (far === undefined) return undefined;
	return far === seeds[0] ? warning(far) : `${warning(far)} With --cluster the first seed's password and TLS are every node's.`;
}
