// `eda groups <topic> [--json]`: a topic's consumer groups, their consumers,
// lag and pending entries (idle time, deliveries).
import {readGroups, type GroupDetail} from '../browser/groups.js';
import type {Flags} from '../cli/flags.js';
import {UserError} from '../errors.js';
import {openRedisSession} from '../redis/session.js';
import {duration, safeJson, sanitize} from '../text/index.js';
import {topicArgument} from './events.js';

const usage = 'usage: eda groups <topic> [--json]';

export async function run(args: string[], flags: Flags): Promise<number> {
	if (args.length > 1) throw new UserError(`eda groups takes one topic (${usage})`, 2);
	const topic = topicArgument('eda groups', args[0], usage);
	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => process.stderr.write(`${line}\n`)});
	try {
		const groups = await readGroups(session.connect('eda:groups'), topic);
		if (groups.length === 0) {
			process.stderr.write(`${sanitize(topic)} has no consumer groups\n`);
			return 3;
		}
		const lines = flags.json ? groups.map((group) => safeJson({topic, ...group})) : groups.flatMap(formatGroup);
		process.stdout.write(`${lines.join('\n')}\n`);
		return 0;
	} finally {
		await session.close();
	}
}

export function formatGroup(group: GroupDetail): string[] {
	const lines = [sanitize(`group ${group.name}  consumers ${group.consumers}  pending ${group.pending}  lag ${group.lag ?? '?'}  last delivered ${group.lastDelivered}`)];
	for (const member of group.members) lines.push(sanitize(`  consumer ${member.name}  pending ${member.pending}  idle ${duration(member.idleMs)}`));
	for (const entry of group.pendingEntries) lines.push(sanitize(`  pending ${entry.entryId}  ${entry.consumer}  idle ${duration(entry.idleMs)}  delivered ${entry.deliveries}x`));
	if (group.pending > group.pendingEntries.length) lines.push(`  … and ${group.pending - group.pendingEntries.length} more pending`);
	return lines;
}
