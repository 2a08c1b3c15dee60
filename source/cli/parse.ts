import {UserError} from '../errors.js';
import {parseDuration} from '../text/duration.js';

export function durationFlag(name: string, value: string | undefined, fallbackMs: number): number {
	if (value === undefined) return fallbackMs;
	if (value === '') throw new UserError(`--${name} needs a duration, e.g. 500ms, 10s, 2m (a bare number is seconds)`, 2);
	const ms = parseDuration(value, 's');
	if (ms === undefined) throw new UserError(`--${name}: "${value}" is not a duration; use e.g. 500ms, 10s, 2m (a bare number is seconds)`, 2);
	return ms;
}

/** A whole-number flag; flags arrive as strings, so "abc" and "1.5" are refused here. */
export function intFlag(name: string, value: string | number | undefined, fallback: number, min: number, max: number): number {
	if (value === undefined) return fallback;
	const number = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
	if (!Number.isInteger(number) || number < min || number > max) {
		throw new UserError(`--${name}: expected a whole number from ${min} to ${max}, got "${String(value)}"`, 2);
	}
	return number;
}

/** "0.2", ".5", "1" → a share from 0 to 1; undefined for anything else (signs, exponents, "20%"). */
export function parseShare(text: string): number | undefined {
	const number = /^\s*\d*\.?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
	return Number.isFinite(number) && number >= 0 && number <= 1 ? number : undefined;
}

export function rateFlag(name: string, value: string | number | undefined, fallback: number): number {
	if (value === undefined) return fallback;
	const number = typeof value === 'number' ? (value >= 0 && value <= 1 ? value : undefined) : parseShare(value);
	if (number === undefined) throw new UserError(`--${name}: expected a share from 0 to 1, got "${String(value)}"`, 2);
	return number;
}

/** "1mb", "512kb", "1048576" → bytes. */
export function sizeFlag(name: string, value: string | undefined, fallback: number): number {
	if (value === undefined) return fallback;
	const match = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(value);
	if (!match) throw new UserError(`--${name}: "${value}" is not a size; use e.g. 1mb, 512kb or a number of bytes`, 2);
	const factor = {b: 1, kb: 1024, mb: 1024 * 1024}[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
	const bytes = Number(match[1]) * factor;
	// 0 would answer every request with a body 413.
	if (bytes < 1) throw new UserError(`--${name}: "${value}" is no room for any body; use e.g. 1mb, 512kb or a number of bytes from 1`, 2);
	return bytes;
}
