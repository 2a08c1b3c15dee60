// `eda replay <topic> <entry-id> [--to TOPIC]`: republish one retained event as
// a new event caused by it, through the producer's publish path (schemas, limits).
import {entryIdPattern, readEvent} from '../browser/events.js';
import {replayEvent} from '../browser/replay.js';
import type {Flags} from '../cli/flags.js';
import {UserError} from '../errors.js';
import {SchemaRefused} from '../portal/enforce.js';
import {openRedisSession} from '../redis/session.js';
import {safeJson, sanitize} from '../text/index.js';
import {topicArgument} from './events.js';

const usage = 'usage: eda replay <topic> <entry-id> [--to TOPIC]';

export async function run(args: string[], flags: Flags): Promise<number> {
	if (args.length > 2) throw new UserError(`eda replay takes a topic and an entry id (${usage})`, 2);
	const topic = topicArgument('eda replay', args[0], usage);
	const entryId = args[1];
	if (entryId === undefined) throw new UserError(`eda replay needs the event's stream entry id, as eda events shows it (${usage})`, 2);
	if (!entryIdPattern.test(entryId)) throw new UserError(`eda replay: "${sanitize(entryId)}" is not a stream entry id (such as 1764590000000-0)`, 2);
	const to = flags.to === undefined ? topic : topicArgument('eda replay --to', flags.to, usage);
	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => process.stderr.write(`${line}\n`)});
	try {
		const redis = session.connect('eda:replay');
		const original = await readEvent(redis, topic, entryId);
		if (!original) {
			process.stderr.write(`${sanitize(topic)} holds no entry ${sanitize(entryId)} (trimmed, or never there)\n`);
			return 3;
		}
		let replayed;
		try {
			replayed = await replayEvent(redis, original, to);
		} catch (error) {
			if (error instanceof SchemaRefused) throw new UserError(`Not replayed: ${error.message}`, 1);
			throw error;
		}
		const newEntry = replayed.ids[0] ?? '';
		const flagged = replayed.flagged ? ' (stored, but it fails the declared schema: flagged in warn mode)' : '';
		process.stdout.write(
			flags.json
				? `${safeJson({topic: to, entry: newEntry, id: replayed.envelope.id, causationid: original.envelope.id, correlationid: replayed.envelope.correlationid, flagged: replayed.flagged ?? 0})}\n`
				: `${sanitize(`Replayed ${topic} ${entryId} as ${to} ${newEntry} (id ${replayed.envelope.id}, caused by ${original.envelope.id})${flagged}`)}\n`,
		);
		return 0;
	} finally {
		await session.close();
	}
}
