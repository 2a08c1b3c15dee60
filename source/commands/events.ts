// `eda events <topic> [--limit N] [--since TIME] [--grep TEXT] [--where EXPR] [--json]`:
// a topic's retained events, newest first, filtered with the dashboard's grammar.
// Exit 0 found, 3 nothing found, 2 usage, 1 error.
import type {Redis} from 'ioredis';
import {hasStream, readPage} from '../browser/events.js';
import {FilterError, parseFilter, type Filter} from '../browser/filter.js';
import {eventJson, eventLine} from '../browser/format.js';
import {searchTopic} from '../browser/search.js';
import type {Flags} from '../cli/flags.js';
import {intFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
import {timeReplyMs} from '../redis/clock.js';
import {openRedisSession} from '../redis/session.js';
import {parseDuration} from '../text/duration.js';
import {sanitize} from '../text/index.js';
import {topicError} from '../topics/names.js';

const usage = 'usage: eda events <topic> [--limit N] [--since TIME] [--grep TEXT] [--where EXPR] [--json]';

/** Checks a topic argument the way every browsing command does. */
export function topicArgument(command: string, topic: string | undefined, usageLine: string): string {
	if (topic === undefined) throw new UserError(`${command} needs a topic (${usageLine})`, 2);
	const bad = topicError(topic);
	if (bad) throw new UserError(`${command}: ${bad}`, 2);
	return topic;
}

/** --since: an ISO time, or a duration ago (10m); answers a function of Redis's now. */
function sinceFlag(value: string | undefined): ((nowMs: number) => number) | undefined {
	if (value === undefined) return undefined;
	const ago = parseDuration(value, 's');
	if (ago !== undefined) return (nowMs) => nowMs - ago;
	const at = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
	if (Number.isFinite(at)) return () => at;
	throw new UserError(`--since: "${sanitize(value)}" is neither an ISO time (2026-12-01T10:00:00Z) nor a duration ago (10m, 2h)`, 2);
}

export async function run(args: string[], flags: Flags): Promise<number> {
	if (args.length > 1) throw new UserError(`eda events takes one topic (${usage})`, 2);
	const topic = topicArgument('eda events', args[0], usage);
	const limit = intFlag('limit', flags.limit, 20, 1, 100_000);
	const since = sinceFlag(flags.since);
	const filters: Filter[] = [];
	if (flags.grep !== undefined) {
		// --grep is always text to find, even with a sign in it.
		if (flags.grep.trim() === '') throw new UserError('--grep needs text to find', 2);
		filters.push({kind: 'text', text: flags.grep.trim()});
	}
	if (flags.where !== undefined) {
		try {
			filters.push(parseFilter(flags.where));
		} catch (error) {
			if (error instanceof FilterError) throw new UserError(`--where: ${error.message}`, 2);
			throw error;
		}
	}

	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => process.stderr.write(`${line}\n`)});
	try {
		const redis = session.connect('eda:events');
		if (!(await hasStream(redis, topic))) {
			process.stderr.write(`${sanitize(topic)} has no stream: nothing is retained on it (events only PUBLISHed are not kept)\n`);
			return 3;
		}
		const sinceMs = since ? since(await redisNow(redis)) : undefined;
		const events = filters.length === 0 ? await readPage(redis, topic, {count: limit, sinceMs}) : (await searchTopic(redis, topic, {filters, limit, sinceMs})).events;
		if (events.length === 0) {
			process.stderr.write(`No event on ${sanitize(topic)}${filters.length > 0 ? ' matches the filter' : ''}${sinceMs === undefined ? '' : ` since ${new Date(sinceMs).toISOString()}`}\n`);
			return 3;
		}
		process.stdout.write(`${events.map((event) => (flags.json ? eventJson(event) : eventLine(event))).join('\n')}\n`);
		return 0;
	} finally {
		await session.close();
	}
}

async function redisNow(redis: Redis): Promise<number> {
	return timeReplyMs(await redis.time());
}
