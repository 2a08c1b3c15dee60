// `eda trace <correlation-id> [--json]`: every retained event in every topic
// with that correlation id, oldest first, drawn as its causation tree.
import {traceCorrelation, traceRows} from '../browser/trace.js';
import {eventRecord, traceLine} from '../browser/format.js';
import type {Flags} from '../cli/flags.js';
import {UserError} from '../errors.js';
import {openRedisSession} from '../redis/session.js';
import {safeJson, sanitize} from '../text/index.js';

const usage = 'usage: eda trace <correlation-id> [--json]';

export async function run(args: string[], flags: Flags): Promise<number> {
	const [id, ...rest] = args;
	if (id === undefined || id.trim() === '' || rest.length > 0) throw new UserError(`eda trace needs one correlation id (${usage})`, 2);
	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => process.stderr.write(`${line}\n`)});
	try {
		const redis = session.connect('eda:trace');
		const trace = await traceCorrelation(redis, id);
		if (trace.events.length === 0) {
			process.stderr.write(`No retained event carries correlation id ${sanitize(id)} (${trace.topics} topic(s), ${trace.scanned} events read)\n`);
			return 3;
		}
		const rows = traceRows(trace.events);
		const lines = flags.json ? rows.map((row) => safeJson({...eventRecord(row.event), depth: row.depth, ...(row.gapMs === undefined ? {} : {afterMs: row.gapMs})})) : rows.map(traceLine);
		process.stdout.write(`${lines.join('\n')}\n`);
		if (!flags.json) process.stderr.write(`${trace.events.length} event(s) in ${new Set(trace.events.map((e) => e.topic)).size} topic(s); ${trace.scanned} events read in ${trace.topics} topic(s)\n`);
		return 0;
	} finally {
		await session.close();
	}
}
