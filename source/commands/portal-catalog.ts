// The discovered side of `eda portal` (commands/portal.ts dispatches here):
//   scan     build or refresh the catalog from what the streams retain
//   watch    run the portal watcher alone (the dashboard and api-server run it too)
//   audit    what ran against what was declared; exit 1 when anything is flagged
//   export   the AsyncAPI 3.0 document of what ran (--format yaml|json, --out FILE)
//   import   declare the payload schemas of an AsyncAPI document's channels
import {readUserFile} from '../cli/files.js';
import {writeFileSync} from 'node:fs';
import {consoleOutput} from '../actors/output.js';
import type {Flags} from '../cli/flags.js';
import {UserError} from '../errors.js';
import {asJson, asYaml, buildAsyncApi, exportSource, isDocumentError, maxDocumentBytes, readAsyncApi} from '../portal/asyncapi.js';
import {auditCatalog} from '../portal/audit.js';
import type {CompatMode} from '../portal/compat.js';
import {compatModes, enforceModes, registerSchema, type EnforceMode} from '../portal/registry.js';
import {PortalWatcher, scanCatalog, type ScanProgress} from '../portal/watcher.js';
import {openRedisSession, type RedisSession} from '../redis/session.js';
import {duration, safeJson, sanitize} from '../text/index.js';
import {runActors} from './run-actors.js';

const usage = 'usage: eda portal scan|watch|audit|export|import [--json]; export [--format yaml|json] [--out FILE]; import <asyncapi.yaml> [--compat C] [--mode M]';

const write = (line: string) => process.stdout.write(`${line}\n`);
const say = (line: string) => write(sanitize(line));
const warn = (line: string) => process.stderr.write(`${sanitize(line)}\n`);

async function withSession<T>(flags: Flags, work: (session: RedisSession) => Promise<T>): Promise<T> {
	const session = await openRedisSession({url: flags.redisUrl, cluster: flags.cluster, say: warn});
	try {
		return await work(session);
	} finally {
		await session.close();
	}
}

export async function run(args: string[], flags: Flags): Promise<number> {
	const [action, ...rest] = args;
	const needsFile = action === 'import';
	if (rest.length > (needsFile ? 1 : 0)) throw new UserError(`eda portal ${action}: unexpected "${sanitize(rest.at(-1) ?? '')}" (${usage})`, 2);
	if ((flags.format !== undefined || flags.out !== undefined) && action !== 'export') throw new UserError(`--format and --out go with eda portal export (${usage})`, 2);
	switch (action) {
		case 'scan':
			return scan(flags);
		case 'watch':
			return watch(flags);
		case 'audit':
			return audit(flags);
		case 'export':
			return exportDocument(flags);
		case 'import': {
			const file = rest[0];
			if (file === undefined) throw new UserError(`eda portal import needs an AsyncAPI document (${usage})`, 2);
			return importDocument(file, flags);
		}
		default:
			throw new UserError(`eda portal: unknown action "${sanitize(action ?? '')}" (${usage})`, 2);
	}
}

/** Where the progress line goes and what time it is: stderr and the clock, or a test's own. */
export type ProgressTarget = {tty: boolean; write(text: string): void; now(): number};

const stderrTarget = (): ProgressTarget => ({tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text), now: Date.now});

/**
 * A progress line (topics, events read, rate, time left) on stderr, only on a
 * terminal, not with --json, and only once the scan has taken more than a
 * moment (a second); redrawn at most four times a second and cleared at the end.
 */
export function progressReporter(json: boolean, target: ProgressTarget = stderrTarget()): {report(progress: ScanProgress): void; done(): void} {
	const started = target.now();
	let shown = false;
	let lastAt = 0;
	const tty = target.tty && !json;
	return {
		report(p) {
			const now = target.now();
			if (!tty || now - started < 1000 || now - lastAt < 250) return;
			lastAt = now;
			shown = true;
			const seconds = (now - started) / 1000;
			const rate = p.events / seconds;
			const left = rate > 0 && p.estimate > p.events ? duration(((p.estimate - p.events) / rate) * 1000) : '—';
			target.write(`\r\x1b[2KScanning: ${p.topicsDone}/${p.topics} topics, ${p.events} events read, ${Math.round(rate)}/s, about ${left} left`);
		},
		done() {
			if (shown) target.write('\r\x1b[2K');
		},
	};
}

async function scan(flags: Flags): Promise<number> {
	return withSession(flags, async (session) => {
		const redis = session.connect('eda:portal:scan');
		const progress = progressReporter(flags.json);
		const started = Date.now();
		const result = await scanCatalog(redis, {holder: `scan:${process.pid}`, onProgress: (p) => progress.report(p)}).finally(() => progress.done());
		if ('busy' in result) {
			if (flags.json) write(safeJson({event: 'scan-skipped', leader: result.busy}));
			else say(`A portal watcher (${result.busy}) keeps the catalog already; nothing to scan`);
			return 0;
		}
		const ms = Date.now() - started;
		if (flags.json) write(safeJson({event: 'scanned', topics: result.topics, events: result.events, ms}));
		else say(`Scanned ${result.topics} topic(s): ${result.events} event(s) read in ${duration(ms)}`);
		return 0;
	});
}

/** The watcher alone, until SIGINT/SIGTERM: the one skeleton of every long-running command. */
function watch(flags: Flags): Promise<number> {
	return runActors({redisUrl: flags.redisUrl, cluster: flags.cluster, actors: (session) => [new PortalWatcher({session, output: consoleOutput(flags.json)})]});
}

async function audit(flags: Flags): Promise<number> {
	return withSession(flags, async (session) => {
		const findings = await auditCatalog(session.connect('eda:portal:audit'));
		if (flags.json) for (const finding of findings) write(safeJson(finding));
		else if (findings.length === 0) say('Audit: nothing flagged; every topic seen is declared and matches its schema');
		else {
			say(`Audit: ${findings.length} finding(s)`);
			for (const finding of findings) say(`  ${finding.kind.padEnd(20)} ${finding.text}`);
		}
		return findings.length > 0 ? 1 : 0;
	});
}

function formatOf(flags: Flags): 'yaml' | 'json' {
	const format = flags.format ?? (flags.out?.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
	if (format !== 'yaml' && format !== 'json') throw new UserError(`--format: "${sanitize(format)}" is not yaml or json`, 2);
	return format;
}

async function exportDocument(flags: Flags): Promise<number> {
	const format = formatOf(flags);
	if (flags.out === '') throw new UserError('--out needs a file name', 2);
	return withSession(flags, async (session) => {
		const doc = buildAsyncApi(await exportSource(session.connect('eda:portal:export'), session.seeds?.[0] ?? session.url));
		const summary = {channels: Object.keys(doc['channels'] as object).length, operations: Object.keys(doc['operations'] as object).length};
		if (flags.out === undefined) {
			// --json keeps its meaning: one JSON record a line, here the document.
			process.stdout.write(flags.json ? `${safeJson(doc)}\n` : format === 'json' ? asJson(doc) : asYaml(doc));
			return 0;
		}
		try {
			writeFileSync(flags.out, format === 'json' ? asJson(doc) : asYaml(doc));
		} catch (error) {
			throw new UserError(`--out ${sanitize(flags.out)}: cannot write it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 1);
		}
		if (flags.json) write(safeJson({event: 'exported', out: flags.out, format, ...summary}));
		else say(`Wrote the AsyncAPI 3.0.0 document (${summary.channels} channel(s), ${summary.operations} operation(s)) to ${flags.out}`);
		return 0;
	});
}

function readDocumentFile(file: string): string {
	return readUserFile(file, maxDocumentBytes, (size) => `the document is ${size} bytes; at most ${maxDocumentBytes} (4 MiB) are read`);
}

async function importDocument(file: string, flags: Flags): Promise<number> {
	if (flags.compat !== undefined && !compatModes.includes(flags.compat as CompatMode)) throw new UserError(`--compat: "${sanitize(flags.compat)}" is not one of ${compatModes.join(', ')}`, 2);
	if (flags.mode !== undefined && !enforceModes.includes(flags.mode as EnforceMode)) throw new UserError(`--mode: "${sanitize(flags.mode)}" is not one of ${enforceModes.join(', ')}`, 2);
	const text = readDocumentFile(file);
	let channels;
	try {
		channels = readAsyncApi(text);
	} catch (error) {
		if (isDocumentError(error)) throw new UserError(`${file}: ${error.message}`, 1);
		throw error;
	}
	if (channels.length === 0) {
		if (flags.json) write(safeJson({event: 'imported', registered: 0}));
		else say(`${file}: no channel with a payload schema; nothing registered`);
		return 0;
	}
	return withSession(flags, async (session) => {
		const redis = session.connect('eda:portal:import');
		let refused = 0;
		for (const channel of channels) {
			if (channel.skipped !== undefined) {
				if (flags.json) write(safeJson({event: 'skipped', topic: channel.topic, from: channel.where, why: channel.skipped}));
				else say(`${channel.topic}: skipped: ${channel.skipped}`);
				continue;
			}
			const result = await registerSchema(redis, channel.topic, channel.schema, {compat: flags.compat as CompatMode | undefined, mode: flags.mode as EnforceMode | undefined});
			if (result.ok) {
				const {version} = result.declared;
				if (flags.json) write(safeJson({event: result.unchanged ? 'unchanged' : 'registered', topic: channel.topic, version, from: channel.where}));
				else say(result.unchanged ? `${channel.topic}: unchanged (version ${version})` : `${channel.topic}: registered version ${version}`);
				continue;
			}
			refused++;
			const why = result.reason === 'invalid' ? result.error : `not ${result.compat} compatible with version ${result.previous.version}: ${result.breaks.map((b) => `${b.path || '/'} ${b.kind}`).join(', ')}`;
			if (flags.json) write(safeJson({event: 'refused', topic: channel.topic, from: channel.where, reason: result.reason, error: why}));
			else say(`${channel.topic}: refused (${channel.where}): ${why}`);
		}
		return refused > 0 ? 1 : 0;
	});
}
