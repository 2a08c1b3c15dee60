// The one skeleton of every long-running command: watch signals, open the
// Redis session, start the actors, wait for SIGINT/SIGTERM (a closed pipe
// sends the process a SIGTERM, cli.tsx), stop every actor, close the session.
import {watchSignals, type SignalWatch} from '../cli/shutdown.js';
import {openRedisSession, type RedisSession} from '../redis/session.js';

export type Actor = {start(): Promise<unknown>; stop(): Promise<unknown>};

export type RunActorsOptions = {
	redisUrl: string | undefined;
	cluster?: boolean;
	/** The actors to run, made once the session is open. */
	actors: (session: RedisSession) => Actor[];
	/** Once every actor started (and no signal came yet); what it returns is called before the stop. */
	whileRunning?: () => (() => void) | void;
	/** Opens the session instead of --redis-url's (the mesh opens one per broker, all or none). */
	open?: (say: (line: string) => void) => Promise<RedisSession>;
	/** SIGINT/SIGTERM by default; tests give their own. */
	signals?: SignalWatch;
	/** After a signal, how long a start still under way may take before the stop goes ahead anyway; default 3 s. */
	startGraceMs?: number;
};

export async function runActors(options: RunActorsOptions): Promise<number> {
	// Before anything connects: a signal (or a reader going away) mid-start still ends in a clean stop.
	const signals = options.signals ?? watchSignals();
	const say = (line: string) => process.stderr.write(`${line}\n`);
	const opening = options.open ? options.open(say) : openRedisSession({url: options.redisUrl, cluster: options.cluster, say});
	const session = await Promise.race([opening, signals.received]);
	if (!session) {
		// Stopped before Redis answered: a session that opens after all is closed at once.
		opening.then((late) => late.close(), () => undefined);
		return 0;
	}
	let actors: Actor[] = [];
	let started: Promise<unknown> = Promise.resolve();
	/** Every actor stopped, the session closed; the first stop that failed, if any. */
	const stopAll = async (): Promise<PromiseRejectedResult | undefined> => {
		// A start still under way finishes first: stopping a half-started actor
		// could leave what it starts next (a heartbeat, a listener) running. But
		// a start waiting on a Redis that went down mid-start waits for it to come
		// back, and a SIGTERM must not: after the grace the stop goes ahead, its
		// disconnects fail the waiting command, and each actor's start checks
		// for a stop after each wait.
		const grace = new Promise<void>((resolve) => setTimeout(resolve, options.startGraceMs ?? 3000).unref());
		await Promise.race([started.catch(() => undefined), grace]);
		const stops = await Promise.allSettled(actors.map((actor) => actor.stop()));
		await session.close();
		return stops.find((stop) => stop.status === 'rejected');
	};
	try {
		actors = options.actors(session);
		started = Promise.all(actors.map((actor) => actor.start()));
		// A failed start after a signal is no news: the stop is what was asked for.
		started.catch(() => undefined);
		await Promise.race([started, signals.received]);
		if (!signals.fired) {
			const undo = options.whileRunning?.();
			await signals.received;
			undo?.();
		}
	} catch (error) {
		// The start's error is the news, not what stopping after it met.
		await stopAll();
		throw error;
	}
	const failed = await stopAll();
	if (failed) throw failed.reason;
	return 0;
}
