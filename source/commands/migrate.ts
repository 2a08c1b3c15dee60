// `eda migrate [--apply]`: the keys of the layout before hash tags moved to
// the tagged one (redis/migrate.ts). A dry run by default; refuses while eda
// actors are alive; safe to re-run.
import type {Flags} from '../cli/flags.js';
import {UserError} from '../errors.js';
import {RedisClock} from '../redis/clock.js';
import {applyMove, liveActors, planMigration, type Move} from '../redis/migrate.js';
import {openRedisSession} from '../redis/session.js';
import {safeJson, sanitize} from '../text/index.js';

export async function run(args: string[], flags: Flags): Promise<number> {
	if (args.length > 0) throw new UserError(`eda migrate takes no arguments (usage: eda migrate [--apply])`, 2);
	if (flags.cluster) throw new UserError('eda migrate runs on the single Redis that holds the old layout: drop --cluster (then move the data into the cluster)', 2);
	const say = (line: string) => process.stderr.write(`${line}\n`);
	const write = (line: string) => process.stdout.write(`${line}\n`);
	const session = await openRedisSession({url: flags.redisUrl, cluster: false, say: () => undefined});
	try {
		const redis = session.connect('eda:migrate');
		const clock = new RedisClock();
		await clock.sync(redis);
		const alive = await liveActors(redis, clock.now());
		if (alive.length > 0) {
			throw new UserError(`eda migrate: ${alive.length} eda actor(s) are alive on ${session.display} (${sanitize(alive.slice(0, 5).join(', '))}${alive.length > 5 ? ', …' : ''}); stop them first (their heartbeats expire 15 s after they stop)`, 1);
		}
		const moves = await planMigration(redis);
		const byKind = (kind: Move['kind']) => moves.filter((m) => m.kind === kind).length;
		const summary = {keys: moves.length, rename: byKind('rename'), merge: byKind('merge'), delete: byKind('delete'), conflict: byKind('conflict')};
		if (!flags.apply) {
			if (flags.json) write(safeJson({dryRun: true, ...summary, moves}));
			else {
				for (const move of moves) write(`${move.kind.padEnd(8)} ${sanitize(move.from)}${move.to ? ` → ${sanitize(move.to)}` : ''}`);
				write(moves.length === 0 ? 'Nothing to migrate: every eda key has the tagged layout.' : `Dry run: ${summary.rename} to rename, ${summary.merge} to merge, ${summary.delete} to delete, ${summary.conflict} in conflict. Run eda migrate --apply to do it.`);
			}
			return 0;
		}
		let done = 0;
		let lastSaid = Date.now();
		for (const move of moves) {
			await applyMove(redis, move);
			done++;
			if (!flags.json && (Date.now() - lastSaid > 500 || done === moves.length)) {
				say(`migrate: ${done}/${moves.length} keys`);
				lastSaid = Date.now();
			}
		}
		const conflicts = moves.filter((m) => m.kind === 'conflict');
		if (flags.json) write(safeJson({dryRun: false, ...summary, conflicts}));
		else {
			write(`Migrated: ${summary.rename} renamed, ${summary.merge} merged, ${summary.delete} deleted.`);
			for (const move of conflicts) write(`Left alone: ${sanitize(move.from)} (${sanitize(move.to ?? '')} exists already; move or delete one by hand)`);
		}
		return conflicts.length > 0 ? 1 : 0;
	} finally {
		await session.close();
	}
}
