// Formatting helpers for the panes. Every string that came from the network
// (payloads, topic and group names, actor names, errors) goes through clean().
import {sanitize} from '../text/sanitize.js';

/**
 * Network text made safe and cut to `width` columns. The raw text is cut first
 * so a 1 MiB payload is not sanitized whole every frame.
 */
export function clean(text: string, width: number): string {
	if (width <= 0) return '';
	const safe = sanitize(text.length > width * 2 ? text.slice(0, width * 2) : text);
	return safe.length <= width ? safe : `${safe.slice(0, Math.max(0, width - 1))}…`;
}

export function fit(text: string, width: number): string {
	if (width <= 0) return '';
	return text.length <= width ? text.padEnd(width) : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export function right(text: string, width: number): string {
	return text.length >= width ? text.slice(0, width) : text.padStart(width);
}

/** 999, 12.3k, 4.56M */
export function count(n: number): string {
	if (n < 10_000) return String(n);
	if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
	return `${(n / 1_000_000).toFixed(2)}M`;
}

export function rate(perSecond: number): string {
	if (perSecond === 0) return '0';
	if (perSecond < 10) return perSecond.toFixed(1);
	return count(Math.round(perSecond));
}

/** 4s, 1m05s, 2h03m */
export function duration(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	if (s < 60) return `${s}s`;
	if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A countdown to a Redis-time instant: "in 4s", or "overdue 3s" once past (never "3s ago"). */
export function countdown(at: number, now: number): string {
	return at >= now ? `in ${duration(at - now)}` : `overdue ${duration(now - at)}`;
}

export function bar(value: number, max: number, width: number): string {
	if (width <= 0) return '';
	const filled = max <= 0 ? 0 : Math.min(width, Math.ceil((value / max) * width));
	return '█'.repeat(filled) + '·'.repeat(width - filled);
}
