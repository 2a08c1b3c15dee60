import {GroupConsumer, defaultClaimIdleMs} from '../actors/group-consumer.js';
import {consoleOutput} from '../actors/output.js';
import {StreamFollower} from '../actors/stream-follower.js';
import {TopicConsumer} from '../actors/topic-consumer.js';
import type {Flags} from '../cli/flags.js';
import {durationFlag} from '../cli/parse.js';
import {UserError} from '../errors.js';
import {isPattern, subscriptionError, topicError} from '../topics/names.js';
import {runActors} from './run-actors.js';

// The Go tool's words, kept as they are.
export const missingTopic = 'ERROR: You must specify the Topic to listen too. use --topic or -t flags to specify it';

/** `eda consumer --topic X`: live pub/sub, a topic's stream from the start, or a consumer group. */
export async function run(flags: Flags): Promise<number> {
	const topics = flags.topic;
	if (topics.length === 0) throw new UserError(missingTopic, 2);
	for (const topic of topics) {
		const error = flags.group ? topicError(topic) : subscriptionError(topic);
		if (error) throw new UserError(`--topic "${topic}": ${error}`, 2);
		if (isPattern(topic) && flags.fromStart) throw new UserError(`--from-start reads one topic's stream; "${topic}" is a pattern`, 2);
	}
	if (flags.group !== undefined && !/^[A-Za-z0-9._:-]{1,200}$/.test(flags.group)) {
		throw new UserError(`--group "${flags.group}": a group name may hold only letters, digits and . _ - :`, 2);
	}
	if (flags.group === undefined && flags.claimIdle !== undefined) throw new UserError('--claim-idle goes with --group', 2);
	const claimIdleMs = durationFlag('claim-idle', flags.claimIdle, defaultClaimIdleMs);

	const output = consoleOutput(flags.json);
	return runActors({
		redisUrl: flags.redisUrl,
		cluster: flags.cluster,
		actors: (session) =>
			topics.map((topic) => {
				if (flags.group !== undefined) {
					return new GroupConsumer({session, topic, group: flags.group, output, consumer: flags.name, fromStart: flags.fromStart, claimIdleMs});
				}
				if (flags.fromStart) return new StreamFollower({session, topic, output});
				return new TopicConsumer({session, topic, output});
			}),
	});
}
