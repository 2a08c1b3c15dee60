// What Redis itself does with the batch route's work: the route's own publish
// script (topics/publish.ts publishCall) with the arguments the route would
// send for a 1,000-event JSON array, built beforehand, sent on one connection
// with as many calls always out (pipelined) as the route's load has requests
// in flight (its connections), so neither side gets more concurrency. It includes every envelope field
// and the PUBLISH of each event, and leaves out only HTTP and parsing, so the
// route's events/s over this is the share of Redis's own pace it reaches.
import {Redis} from 'ioredis';
import {acceptBatch} from '../../source/producer/accept.js';
import {defaultRetain, publishCall} from '../../source/topics/publish.js';

/** used_cpu_sys + used_cpu_user of redis-server, ms. */
export async function redisCpuMs(admin: Redis): Promise<number> {
	const info = await admin.info('cpu');
	const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
	return (field('used_cpu_sys') + field('used_cpu_user')) * 1000;
}

export type LimitRun = {
	topic: string;
	eventsPerCall: number;
	callsOut: number;
	seconds: number;
	events: number;
	eventsPerS: number;
	/** Redis CPU per event (INFO cpu deltas), µs. */
	redisUsPerEvent: number;
	/** This process's CPU per event (sending the prepared calls), µs. */
	clientUsPerEvent: number;
};

/**
 * Sends prepared publish calls for `durationS`, `callsOut` at a time, each
 * `body` accepted as the batch route accepts it; the stream's entries-added
 * is checked against what was sent.
 */
export async function redisLimit(url: string, topic: string, body: string, durationS: number, callsOut: number): Promise<LimitRun> {
	const redis = new Redis(url, {maxRetriesPerRequest: null, enableAutoPipelining: false});
	try {
		// Distinct calls (each with its own event ids), reused round robin: building them is not timed.
		const prepared = Array.from({length: 16}, () => {
			const accepted = acceptBatch({contentType: 'application/json', body: Buffer.from(body), header: () => undefined}, topic);
			if (!accepted.ok) throw new Error(`the batch body was refused: ${accepted.error}`);
			const call = publishCall(topic, accepted.events, defaultRetain);
			return {script: call.script, keysAndArgs: [...call.keys, ...call.args], keyCount: call.keys.length, events: accepted.events.length};
		});
		const first = prepared[0];
		if (!first) throw new Error('nothing prepared');
		await redis.script('LOAD', first.script.lua);
		const before = await redisCpuMs(redis);
		const cpu = process.cpuUsage();
		const started = performance.now();
		const endAt = started + durationS * 1000;
		let events = 0;
		let next = 0;
		const lane = async () => {
			while (performance.now() < endAt) {
				const call = prepared[next++ % prepared.length] ?? first;
				await redis.evalsha(call.script.sha, call.keyCount, ...call.keysAndArgs);
				events += call.events;
			}
		};
		await Promise.all(Array.from({length: callsOut}, lane));
		const seconds = (performance.now() - started) / 1000;
		const used = process.cpuUsage(cpu);
		const after = await redisCpuMs(redis);
		return {
			topic,
			eventsPerCall: first.events,
			callsOut,
			seconds,
			events,
			eventsPerS: events / seconds,
			redisUsPerEvent: ((after - before) * 1000) / events,
			clientUsPerEvent: (used.user + used.system) / events,
		};
	} finally {
		redis.disconnect();
	}
}
