// `eda deferred list | retry <id> | retry --dead | purge --dead`: look at and
// act on the schedule, the queue, in-flight events and the dead-letter list.
import type {Flags} from '../cli/flags.js';
import {UserError} from '../errors.js';
import {readDeferredSnapshot, type DeferredSnapshot, type EventView} from '../deferred/inspect.js';
import {queueFlag} from '../deferred/options.js';
import {DeferredStore} from '../deferred/store.js';
import {deferredKeys} from '../redis/keys.js';
import {openRedisSession} from '../redis/session.js';
import {countdown, cut, duration, safeJson, sanitize, since} from '../text/index.js';

const usage = 'usage: eda deferred list [--json] | retry <id> | retry --dead | purge --dead';

export async function run(args: string[], flags: Flags): Promise<number> {
	const [action, ...rest] = args;
	// Check the arguments before touching Redis.
	if (action === 'list') {
		if (rest.length > 0) throw new UserError(`eda deferred list takes no arguments (${usage})`, 2);
	} else if (action === 'retry') {
		if (flags.dead ? rest.length > 0 : rest.length !== 1) throw new UserError(`eda deferred retry needs one event id or --dead (${usage})`, 2);
		if (!flags.dead && !/^\d+$/.test(rest[0] ?? '')) throw new UserError(`eda deferred retry: "${rest[0] ?? ''}" is not an event id (a number)`, 2);
	} else if (action === 'purge') {
		if (!flags.dead || rest.length > 0) throw new UserError(`eda deferred purge needs --dead (${usage})`, 2);
	} else {
		throw new UserError(action === undefined ? `eda deferred needs an action (${usage})` : `eda deferred: unknown action "${action}" (${usage})`, 2);
	}

	const k = deferredKeys(queueFlag(flags.queue));
	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: (line) => process.stderr.write(`${line}\n`)});
	const write = (text: string) => process.stdout.write(`${text}\n`);
	try {
		const redis = session.connect('eda:deferred-cli');
		const store = new DeferredStore(redis, k);
		if (action === 'list') {
			const snapshot = await readDeferredSnapshot(redis, 50, k);
			write(flags.json ? safeJson(snapshot) : formatList(snapshot).join('\n'));
			return 0;
		}
		if (action === 'retry' && flags.dead) {
			const n = await store.retryAllDead();
			write(flags.json ? safeJson({retried: n}) : `Moved ${n} dead event(s) back to ${k.work}`);
			return 0;
		}
		if (action === 'retry') {
			const id = rest[0] as string;
			const {moved, problem} = await store.retry(id);
			if (moved === 1) {
				write(flags.json ? safeJson({retried: 1, id}) : `Moved event ${id} back to ${k.work} (attempts reset)`);
				return 0;
			}
			const why = problem === 'missing' ? 'there is no such event' : `it is ${problem} (only dead or scheduled events can be retried)`;
			throw new UserError(`Cannot retry event ${id}: ${why}`, 1);
		}
		const n = await store.purgeDead();
		write(flags.json ? safeJson({purged: n}) : `Deleted ${n} dead event(s)`);
		return 0;
	} finally {
		await session.close();
	}
}

const bodyWidth = 60;

function line(view: EventView, when: string): string {
	const id = view.id ? `#${view.id}` : '(no id yet)';
	return `  ${id.padEnd(11)} attempts ${String(view.attempts).padEnd(3)} ${when.padEnd(24)} ${cut(view.body, bodyWidth)}`;
}

/** The text of `eda deferred list`: each stage with its events. */
export function formatList(s: DeferredSnapshot): string[] {
	const out: string[] = [];
	const more = (shown: number, total: number) => {
		if (total > shown) out.push(`  … and ${total - shown} more`);
	};
	out.push(`Scheduled (${s.counts.scheduled})`);
	for (const v of s.scheduled) {
		// "due in 42s", or "overdue 3s" for late work (never "3s ago").
		const when = v.due === undefined ? '' : countdown(v.due, s.now);
		out.push(line(v, when.startsWith('in ') ? `due ${when}` : when));
		if (v.lastError) out.push(`           last error: ${cut(v.lastError, 100)}`);
	}
	more(s.scheduled.length, s.counts.scheduled);
	out.push(`Ready in ${s.queue} (${s.counts.ready}), next first`);
	for (const v of s.ready) out.push(line(v, v.readyAt === undefined ? 'waiting' : `waiting ${duration(s.now - v.readyAt)}`));
	more(s.ready.length, s.counts.ready);
	out.push(`In flight (${s.counts.inflight})`);
	for (const v of s.inflight) {
		// "lease in 12s", or "lease overdue 3s" until a master returns it to the queue.
		const lease = v.leaseUntil === undefined ? '' : `lease ${countdown(v.leaseUntil, s.now)}`;
		out.push(`${line(v, lease)}  ${sanitize(v.worker ?? '')}`);
	}
	more(s.inflight.length, s.counts.inflight);
	out.push(`Dead (${s.counts.dead})`);
	for (const v of s.dead) {
		out.push(line(v, v.diedAt === undefined ? 'dead' : `died ${since(v.diedAt, s.now)}`));
		out.push(`           last error: ${cut(v.lastError ?? '', 100)}`);
	}
	more(s.dead.length, s.counts.dead);
	return out;
}
