// Which addresses only this machine can reach: the producer's protected mode
// and the warning about a Redis reached in the clear both ask.
import net from 'node:net';

/**
 * True for 127.0.0.0/8, ::1 (bracketed or not, or IPv4-mapped) and the name
 * `localhost`. Anything else, including 0.0.0.0, :: and the empty string
 * (which listen on every interface), and other host names, is not.
 */
export function isLoopbackHost(host: string): boolean {
	const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
	if (bare === 'localhost' || bare === 'localhost.') return true;
	const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
	if (net.isIPv4(v4)) return v4.startsWith('127.');
	if (net.isIPv6(bare)) return /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(bare);
	return false;
}
