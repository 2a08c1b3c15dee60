// Lua scripts run by EVALSHA, falling back to EVAL when Redis has lost its
// script cache (a restart empties it).
//
// Not ioredis' defineCommand: that adds a method to the client, and an
// auto-pipeline created before the method existed lacks it. A call landing in
// such a pipeline leaves a callback with no reply, and ioredis then throws
// "results[i] is not iterable" from a nextTick, which kills the process
// (redis/ioredis#1931). A lab started inside the running dashboard defined its
// scripts on a busy client and hit exactly that. EVALSHA and EVAL are plain
// commands every pipeline has, so nothing here depends on when it was defined.
import {createHash} from 'node:crypto';
import type {Redis} from 'ioredis';

export type ScriptArg = string | number | Buffer;

type Send = (sha1OrLua: string, numberOfKeys: number, keysAndArgs: ScriptArg[]) => Promise<unknown>;

export function isNoScript(error: unknown): boolean {
	return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * One Lua script. Write it beside the calls that run it, opening with what it
 * is given, asynq style:
 *
 *   // KEYS[1] -> eda:{message:queue}:scheduled
 *   // ARGV[1] -> batch size
 *
 * and run it as `script.run(redis, keys, args)`: the key count is the length of
 * `keys`, never a number kept apart from the call. Every key the script
 * touches, passed or built from a prefix, shares one hash tag (redis/keys.ts).
 */
export class LuaScript {
	readonly sha: string;

	constructor(readonly lua: string) {
		this.sha = createHash('sha1').update(lua).digest('hex');
	}

	/**
	 * Runs the script with `keys` then `args`, sent as one array: ioredis
	 * flattens it, so a large batch never spreads onto the call stack.
	 */
	async run(redis: Redis, keys: readonly ScriptArg[], args: readonly ScriptArg[]): Promise<unknown> {
		const keysAndArgs = keys.concat(args);
		try {
			return await (redis.evalsha as unknown as Send).call(redis, this.sha, keys.length, keysAndArgs);
		} catch (error) {
			if (!isNoScript(error)) throw error;
			return (redis.eval as unknown as Send).call(redis, this.lua, keys.length, keysAndArgs);
		}
	}
}
