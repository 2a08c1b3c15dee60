import type {Redis} from 'ioredis';
import {describeError} from '../errors.js';
import {keys} from '../redis/keys.js';
import type {RedisSession} from '../redis/session.js';
import {actorName, Heartbeat} from './heartbeat.js';
import {attributesOf} from '../topics/envelope.js';
import {receivedLines, type ActorOutput} from './output.js';
import {outageReporter} from './outage.js';
import {firstStreamEntries, sleep} from './stream-reader.js';

export type StreamFollowerOptions = {
	session: RedisSession;
	topic: string;
	output: ActorOutput;
};

/**
 * `eda consumer --topic X --from-start` without a group: the retained history
 * of X's stream, then new entries as they come, with no gap and no repeat
 * between the two (both come from the one stream). Only events that went
 * through an eda producer are in the stream; pub/sub-only traffic is not.
 */
export class StreamFollower {
	readonly name = actorName('consumer');
	private readonly redis: Redis;
	private readonly heartbeat: Heartbeat;
	private running = false;
	private stopped = false;
	private loop: Promise<void> | undefined;

	constructor(private readonly options: StreamFollowerOptions) {
		this.redis = options.session.connect(this.name, {onState: outageReporter(options.output, this.name, () => this.stopped)});
		this.heartbeat = new Heartbeat(options.session.connect(`${this.name}:beat`), this.name, 'consumer', `stream ${options.topic} from start`);
	}

	async start(): Promise<void> {
		this.running = true;
		this.heartbeat.start();
		const {topic, output} = this.options;
		output.emit(this.name, [`Consumer subscribed to \`${topic}\` Topic`, 'Replaying the retained history first'], {event: 'subscribed', topic, fromStart: true});
		this.loop = this.run();
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.running = false;
		// The loop ends within one blocking read (500 ms) when Redis answers;
		// when Redis is down its command waits for a reconnect, so bound it.
		await Promise.race([this.loop, sleep(1500)]);
		await this.heartbeat.stop();
		this.redis.disconnect();
	}

	private async run(): Promise<void> {
		let last = '0';
		let warned = false;
		while (this.running) {
			try {
				const reply = await this.redis.xread('COUNT', 500, 'BLOCK', 500, 'STREAMS', keys.stream(this.options.topic), last);
				for (const entry of firstStreamEntries(reply)) {
					last = entry.id;
					if (!entry.envelope) continue;
					this.heartbeat.handled++;
					const {topic} = this.options;
					this.options.output.emit(this.name, receivedLines(topic, entry.envelope), {event: 'received', topic, entry: entry.id, id: entry.envelope.id, attributes: attributesOf(entry.envelope), data: entry.envelope.data});
				}
				warned = false;
			} catch (error) {
				if (!warned) this.options.output.emit(this.name, [`Redis unavailable (${describeError(error)}); retrying`], {event: 'redis-error', error: describeError(error)});
				warned = true;
				await sleep(500);
			}
		}
	}
}
