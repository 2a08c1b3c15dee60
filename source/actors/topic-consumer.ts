import type {Redis} from 'ioredis';
import type {RedisSession} from '../redis/session.js';
import {isPattern} from '../topics/names.js';
import {actorName, Heartbeat} from './heartbeat.js';
import type {ActorOutput} from './output.js';
import {outageReporter} from './outage.js';

export type TopicConsumerOptions = {
	session: RedisSession;
	/** A topic, or a pattern such as `orders.*`. */
	topic: string;
	output: ActorOutput;
	name?: string;
};

/** The article's consumer: live pub/sub on one topic or pattern, printing each event. */
export class TopicConsumer {
	readonly name: string;
	readonly topic: string;
	private readonly heartbeat: Heartbeat;
	private subscriber: Redis | undefined;
	private stopping = false;

	constructor(private readonly options: TopicConsumerOptions) {
		this.topic = options.topic;
		this.name = options.name ?? actorName('consumer');
		this.heartbeat = new Heartbeat(options.session.connect(`${this.name}:beat`), this.name, 'consumer', `topic ${options.topic}`);
	}

	get handled(): number {
		return this.heartbeat.handled;
	}

	async start(): Promise<void> {
		const {topic, output} = this.options;
		// A subscriber connection; ioredis subscribes again by itself after a reconnect.
		const subscriber = this.options.session.connect(this.name, {onState: outageReporter(output, this.name, () => this.stopping)});
		this.subscriber = subscriber;
		const onEvent = (channel: string, message: string) => {
			this.heartbeat.handled++;
			output.emit(this.name, [`Received event on topic: ${channel}`, `Event data: ${message}`], {event: 'received', topic: channel, data: message});
		};
		if (isPattern(topic)) {
			subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => onEvent(channel, message));
			await subscriber.psubscribe(topic);
		} else {
			subscriber.on('message', onEvent);
			await subscriber.subscribe(topic);
		}
		this.heartbeat.start();
		output.emit(this.name, [`Consumer subscribed to \`${topic}\` Topic`], {event: 'subscribed', topic});
	}

	async stop(): Promise<void> {
		this.stopping = true;
		this.subscriber?.disconnect();
		await this.heartbeat.stop();
	}
}
