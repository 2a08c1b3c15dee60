// Ingest bench: how many events per second eda's producer takes in, against a
// bare express 5 app that parses the JSON and does one PUBLISH, both measured
// in the same run on the same private redis-server; then events/s through the
// batch route. Every count is checked against what Redis holds afterwards.
//
//   npx tsx bench/run.ts ingest [--quick] [--profile]
import {mkdirSync, readdirSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Redis} from 'ioredis';
import {keys} from '../source/redis/keys.js';
import {freePort, startPrivateRedis, type PrivateRedis} from '../source/redis/private-server.js';
import {listTopics} from '../source/topics/list.js';
import {ensureDist, root, type BuildState} from './lib/build.js';
import {cpuBetween, sampleCpu, type CpuUse} from './lib/cpu.js';
import {summarizeProfile, type ProfileSummary} from './lib/cpuprofile.js';
import {fire, type LoadFigures} from './lib/load.js';
import {redisCpuMs, redisLimit, type LimitRun} from './lib/redis-limit.js';
import {httpRequest, sleep, spawnService, stopAll, waitHttp, type Service} from './lib/procs.js';
import type {BenchOptions, BenchOutput, Goal, Table} from './lib/report.js';

const topic = 'orderCreated';
const body = JSON.stringify({order_id: 123, customer: 'John Doe', total: 49.99});
/** eda's default --retain (the stream cap); the bench runs the producer with defaults. */
const retain = 10_000;
const ratioGoal = 0.9;
const batchGoal = 50_000;
/** The batch route's events/s over what Redis alone does with the same calls (issue 14). */
const limitGoal = 0.5;

type Plan = {
	connections: number;
	warmupS: number;
	durationS: number;
	/** Rounds of (ours, bare), the order flipped every round; the better run of each counts. */
	rounds: number;
	batches: {label: string; size: number; format: 'json' | 'ndjson'; connections: number}[];
	batchWarmupS: number;
	batchDurationS: number;
};

function planFor(quick: boolean): Plan {
	return quick
		? {connections: 50, warmupS: 1, durationS: 3, rounds: 2, batchWarmupS: 1, batchDurationS: 3, batches: [
				{label: 'JSON array x1000', size: 1000, format: 'json', connections: 10},
				{label: 'NDJSON x1000', size: 1000, format: 'ndjson', connections: 10},
			]}
		: {connections: 50, warmupS: 2, durationS: 10, rounds: 3, batchWarmupS: 2, batchDurationS: 10, batches: [
				{label: 'JSON array x1000', size: 1000, format: 'json', connections: 10},
				{label: 'NDJSON x1000', size: 1000, format: 'ndjson', connections: 10},
				{label: 'JSON array x100', size: 100, format: 'json', connections: 50},
			]};
}

type Snapshot = {count: number; xlen: number; publishCalls: number};

async function snapshot(admin: Redis, name: string): Promise<Snapshot> {
	const [topics, info] = await Promise.all([listTopics(admin), admin.info('commandstats')]);
	const calls = /cmdstat_publish:calls=(\d+)/.exec(info)?.[1];
	const topic = topics.find((t) => t.topic === name);
	return {count: topic?.count ?? 0, xlen: topic?.retained ?? 0, publishCalls: Number(calls ?? 0)};
}

type Check = {what: string; ok: boolean; detail: string};

type Run = {
	target: 'eda' | 'bare';
	round: number;
	order: number;
	warmup: LoadFigures;
	measured: LoadFigures;
	cpu: CpuUse;
	checks: Check[];
};

type BatchRun = {
	label: string;
	topic: string;
	size: number;
	format: 'json' | 'ndjson';
	connections: number;
	warmup: LoadFigures;
	measured: LoadFigures;
	cpu: CpuUse;
	/** Redis CPU over the measured run (INFO cpu used_cpu_sys + used_cpu_user), ms. */
	redisCpuMs: number;
	eventsPerS: number;
	checks: Check[];
};

/** Counted 2xx answers ≤ stored ≤ counted + what was in flight when autocannon stopped. */
function storedCheck(what: string, stored: number, counted: number, inFlight: number): Check {
	return {what, ok: stored >= counted && stored <= counted + inFlight, detail: `${stored} stored, ${counted} answered 2xx (up to ${inFlight} in flight at stop)`};
}

function streamCheck(xlen: number, total: number): Check {
	const low = Math.min(total, retain);
	// MAXLEN ~ trims whole stream nodes (100 entries by default): allow some slack above the cap.
	const high = Math.max(Math.min(total, retain + 1000), low);
	return {what: 'XLEN within the cap', ok: xlen >= low && xlen <= high, detail: `XLEN ${xlen}, expected ${low}..${high} (${total} events, --retain ${retain})`};
}

async function lastEntryCheck(admin: Redis, name: string, expected: string): Promise<Check> {
	const entries = (await admin.xrevrange(keys.stream(name), '+', '-', 'COUNT', 1)) as [string, string[]][];
	const fields = entries[0]?.[1] ?? [];
	const data = fields[fields.indexOf('data') + 1];
	const type = fields[fields.indexOf('type') + 1];
	return {what: 'last entry is ours', ok: data === expected && type === name, detail: `type=${type ?? '-'} data=${(data ?? '-').slice(0, 80)}`};
}

function batchBody(size: number, format: 'json' | 'ndjson'): {body: string; contentType: string; last: string} {
	const items = Array.from({length: size}, (_v, i) => ({order_id: i + 1, customer: 'John Doe', total: 49.99}));
	const last = JSON.stringify(items[items.length - 1]);
	if (format === 'json') return {body: JSON.stringify(items), contentType: 'application/json', last};
	return {body: `${items.map((item) => JSON.stringify(item)).join('\n')}\n`, contentType: 'application/x-ndjson', last};
}

type Producer = {service: Service; url: string; profileDir?: string};

export async function startProducer(redisUrl: string, build: BuildState, log: (line: string) => void, profileDir: string | undefined, label: string, extraArgs: string[] = []): Promise<Producer & {mode: string}> {
	const port = await freePort();
	const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
	const args = ['api-server', '--port', String(port), '--redis-url', redisUrl, ...extraArgs];
	const url = `http://127.0.0.1:${port}`;
	if (build.fresh) {
		const service = spawnService(`eda api-server (${label})`, process.execPath, [...prof, path.join(root, 'dist', 'cli.js'), ...args], {cwd: root});
		try {
			await waitHttp(service, `${url}/healthz`);
			return {service, url, profileDir, mode: 'node dist/cli.js'};
		} catch (error) {
			await service.stop();
			log(`the built producer did not start (${(error as Error).message.split('\n')[0]}); falling back to tsx`);
		}
	}
	const service = spawnService(`eda api-server (${label}, tsx)`, process.execPath, [...prof, '--import', 'tsx', path.join(root, 'cli.tsx'), ...args], {cwd: root});
	await waitHttp(service, `${url}/healthz`);
	return {service, url, profileDir, mode: 'node --import tsx cli.tsx'};
}

async function startBare(redisUrl: string, profileDir?: string): Promise<{service: Service; url: string}> {
	const port = await freePort();
	// Profiled like eda's producer when asked, so both pay the profiler's cost and the ratio stays fair.
	const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
	const service = spawnService('bare express app', process.execPath, [...prof, '--import', 'tsx', path.join(root, 'bench', 'lib', 'bare-app.ts'), '--port', String(port), '--redis-url', redisUrl], {cwd: root});
	const url = `http://127.0.0.1:${port}`;
	await waitHttp(service, `${url}/healthz`);
	return {service, url};
}

async function smoke(url: string, name: string): Promise<void> {
	const answer = await httpRequest(`${url}/topics/${topic}`, {method: 'POST', body, headers: {'content-type': 'application/json'}});
	if (answer.status !== 200) throw new Error(`${name}: POST /topics/${topic} answered ${answer.status} ${answer.body.slice(0, 200)}`);
}

function profileFiles(dir: string): string[] {
	try {
		return readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
	} catch {
		return [];
	}
}

/** The main thread's profile: tsx's loader thread writes one too, and the biggest file is the one that served requests. */
function mainProfile(dir: string): string | undefined {
	return profileFiles(dir).sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

const watched = ['/producer/app.js', '/producer/http.js', '/producer/accept.js', '/topics/publish.js', '/producer/app.ts', '/producer/http.ts', '/producer/accept.ts', '/topics/publish.ts'];

function profileTables(label: string, summary: ProfileSummary): Table[] {
	return [
		{
			title: `CPU profile, ${label}: areas (self time, % of ${summary.busyMs} ms busy; ${summary.idleMs} ms idle)`,
			columns: ['area', 'ms', '%'],
			rows: summary.areas.slice(0, 14).map((a) => [a.area, a.ms, a.pct]),
		},
		{
			title: `CPU profile, ${label}: top functions by self time`,
			columns: ['function', 'where', 'ms', '%'],
			rows: summary.selfTop.slice(0, 20).map((f) => [f.fn, f.where, f.ms, f.pct]),
		},
		{
			title: `CPU profile, ${label}: app.ts / accept.ts / publish.ts, inclusive time`,
			columns: ['function', 'where', 'incl ms', 'incl %', 'self ms'],
			rows: summary.watched.slice(0, 20).map((f) => [f.fn, f.where, f.inclusiveMs, f.inclusivePct, f.selfMs]),
		},
	];
}

function figuresRow(label: string, f: LoadFigures, extra: (string | number)[] = []): (string | number)[] {
	return [label, Math.round(f.rps), f.p50Ms, f.p99Ms, f.ok2xx, f.non2xx, f.errors + f.timeouts, ...extra];
}

export async function runIngest(options: BenchOptions): Promise<BenchOutput> {
	const started = new Date();
	const {log} = options;
	const plan = planFor(options.quick);
	const notes: string[] = [];
	const build = ensureDist(log);
	if (build.built) notes.push(`dist/ was stale and was rebuilt${build.errors.length > 0 ? ` (tsc reported ${build.errors.length} type error(s) elsewhere; it still emits): ${build.errors.slice(0, 3).join(' | ')}` : ''}`);
	const stamp = started.toISOString().replace(/[:.]/g, '-');
	const profileRoot = options.profile ? path.join(root, 'bench', 'results', 'profiles', `ingest-${stamp}`) : undefined;

	let redis: PrivateRedis | undefined;
	let admin: Redis | undefined;
	const runs: Run[] = [];
	const batchRuns: BatchRun[] = [];
	const limits: (LimitRun & {when: string})[] = [];
	const profiles: Record<string, ProfileSummary> = {};
	let producerMode = '';
	try {
		redis = await startPrivateRedis();
		admin = new Redis(redis.url, {maxRetriesPerRequest: 1});
		admin.on('error', () => {});
		const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
		log(`private redis-server ${redisVersion} at ${redis.url}`);

		// (1) + (2): one event per request, ours and bare, alternating.
		const singleProf = profileRoot ? path.join(profileRoot, 'single') : undefined;
		if (singleProf) mkdirSync(singleProf, {recursive: true});
		const ours = await startProducer(redis.url, build, log, singleProf, 'single');
		producerMode = ours.mode;
		const bareProf = profileRoot ? path.join(profileRoot, 'bare') : undefined;
		if (bareProf) mkdirSync(bareProf, {recursive: true});
		const bare = await startBare(redis.url, bareProf);
		log(`eda producer (${ours.mode}) at ${ours.url}, bare app at ${bare.url}`);
		await smoke(ours.url, 'eda');
		await smoke(bare.url, 'bare');

		for (let round = 0; round < plan.rounds; round++) {
			const order: ('eda' | 'bare')[] = round % 2 === 0 ? ['eda', 'bare'] : ['bare', 'eda'];
			for (const [i, target] of order.entries()) {
				const url = `${target === 'eda' ? ours.url : bare.url}/topics/${topic}`;
				const load = {url, connections: plan.connections, body, contentType: 'application/json'};
				const before = await snapshot(admin, topic);
				log(`round ${round + 1}: ${target} warm-up ${plan.warmupS} s`);
				const warmup = await fire({...load, durationS: plan.warmupS});
				log(`round ${round + 1}: ${target} ${plan.durationS} s x ${plan.connections} connections`);
				const pids = {server: (target === 'eda' ? ours : bare).service.child.pid, redis: redis.process.pid, bench: process.pid};
				const cpuBefore = sampleCpu(pids);
				const measured = await fire({...load, durationS: plan.durationS});
				const cpu = cpuBetween(cpuBefore, sampleCpu(pids));
				await sleep(300);
				const after = await snapshot(admin, topic);
				const counted = warmup.ok2xx + measured.ok2xx;
				const inFlight = 2 * plan.connections;
				const checks: Check[] = [];
				if (target === 'eda') {
					const stored = after.count - before.count;
					checks.push(storedCheck('stream count (entries-added)', stored, counted, inFlight));
					checks.push({what: 'one PUBLISH per event', ok: after.publishCalls - before.publishCalls === stored, detail: `${after.publishCalls - before.publishCalls} PUBLISH calls for ${stored} events`});
					checks.push(streamCheck(after.xlen, after.count));
					checks.push(await lastEntryCheck(admin, topic, body));
				} else {
					checks.push(storedCheck('PUBLISH calls', after.publishCalls - before.publishCalls, counted, inFlight));
					checks.push({what: 'bare app stores nothing', ok: after.count === before.count, detail: `stream count ${before.count} -> ${after.count}`});
				}
				for (const check of checks) if (!check.ok) log(`CHECK FAILED (${target}): ${check.what}: ${check.detail}`);
				runs.push({target, round: round + 1, order: i + 1, warmup, measured, cpu, checks});
				log(`  ${target}: ${Math.round(measured.rps)} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, non-2xx ${measured.non2xx}`);
				await sleep(500);
			}
		}
		await bare.service.stop();
		await ours.service.stop();
		const singleFile = singleProf ? mainProfile(singleProf) : undefined;
		if (singleFile) profiles['single'] = summarizeProfile(singleFile, watched);
		const bareFile = bareProf ? mainProfile(bareProf) : undefined;
		if (bareFile) profiles['bare'] = summarizeProfile(bareFile, watched);

		// (3): the batch route, on a fresh producer (its own profile when asked).
		const batchProf = profileRoot ? path.join(profileRoot, 'batch') : undefined;
		if (batchProf) mkdirSync(batchProf, {recursive: true});
		// --no-portal: the portal watcher reads every stored event back (XREAD) and infers its schema, work that
		// is neither the route's nor in the Redis-alone figure below; the single-event runs above keep it on.
		const batchProducer = await startProducer(redis.url, build, log, batchProf, 'batch', ['--no-portal']);
		// Redis's own pace with the route's calls, before the route's runs and after them (the better one counts).
		const limitBody = batchBody(1000, 'json').body;
		// As many calls out as the 1,000-event runs have requests in flight (their connections): the same concurrency both ways.
		const limitCallsOut = Math.max(...plan.batches.filter((b) => b.size === 1000).map((b) => b.connections));
		const measureLimit = async (when: string) => {
			log(`Redis limit (${when}): the route's publish script, prepared 1,000-event calls, ${limitCallsOut} out at once, ${plan.batchDurationS} s`);
			await redisLimit(redis?.url ?? '', 'orderLimit', limitBody, plan.batchWarmupS, limitCallsOut);
			const run = await redisLimit(redis?.url ?? '', 'orderLimit', limitBody, plan.batchDurationS, limitCallsOut);
			log(`  Redis limit: ${Math.round(run.eventsPerS)} events/s, Redis ${run.redisUsPerEvent.toFixed(2)} us/event`);
			limits.push({...run, when});
		};
		await measureLimit('before the route');
		for (const [i, spec] of plan.batches.entries()) {
			const name = `orderBatch${i + 1}`;
			const {body: payload, contentType, last} = batchBody(spec.size, spec.format);
			const smokeAnswer = await httpRequest(`${batchProducer.url}/topics/${name}/batch`, {method: 'POST', body: payload, headers: {'content-type': contentType}, timeoutMs: 10_000});
			if (smokeAnswer.status !== 200) throw new Error(`batch ${spec.label}: answered ${smokeAnswer.status} ${smokeAnswer.body.slice(0, 200)}`);
			const before = await snapshot(admin, name);
			const load = {url: `${batchProducer.url}/topics/${name}/batch`, connections: spec.connections, body: payload, contentType};
			log(`batch ${spec.label}: warm-up ${plan.batchWarmupS} s`);
			const warmup = await fire({...load, durationS: plan.batchWarmupS});
			log(`batch ${spec.label}: ${plan.batchDurationS} s x ${spec.connections} connections`);
			const pids = {server: batchProducer.service.child.pid, redis: redis.process.pid, bench: process.pid};
			const cpuBefore = sampleCpu(pids);
			const redisBefore = await redisCpuMs(admin);
			const measured = await fire({...load, durationS: plan.batchDurationS});
			const cpu = cpuBetween(cpuBefore, sampleCpu(pids));
			const redisCpu = (await redisCpuMs(admin)) - redisBefore;
			await sleep(300);
			const after = await snapshot(admin, name);
			const stored = after.count - before.count;
			const checks: Check[] = [
				storedCheck('stream count (entries-added)', stored, (warmup.ok2xx + measured.ok2xx) * spec.size, 2 * spec.connections * spec.size),
				{what: 'one PUBLISH per event', ok: after.publishCalls - before.publishCalls === stored, detail: `${after.publishCalls - before.publishCalls} PUBLISH calls for ${stored} events`},
				streamCheck(after.xlen, after.count),
				await lastEntryCheck(admin, name, last),
			];
			for (const check of checks) if (!check.ok) log(`CHECK FAILED (batch ${spec.label}): ${check.what}: ${check.detail}`);
			const eventsPerS = measured.rps * spec.size;
			batchRuns.push({label: spec.label, topic: name, size: spec.size, format: spec.format, connections: spec.connections, warmup, measured, cpu, redisCpuMs: redisCpu, eventsPerS, checks});
			log(`  ${spec.label}: ${Math.round(eventsPerS)} events/s (${Math.round(measured.rps)} req/s), p99 ${measured.p99Ms} ms`);
			await sleep(500);
		}
		await measureLimit('after the route');
		await batchProducer.service.stop();
		const batchFile = batchProf ? mainProfile(batchProf) : undefined;
		if (batchFile) profiles['batch'] = summarizeProfile(batchFile, watched);
		const topics = Object.fromEntries((await listTopics(admin)).map((t) => [t.topic, t.count]));
		notes.push(`events per topic after the run (entries-added of each stream): ${JSON.stringify(topics)}`);
	} finally {
		await stopAll();
		admin?.disconnect();
		await redis?.stop();
	}

	const best = (target: 'eda' | 'bare') => runs.filter((r) => r.target === target).reduce<Run | undefined>((a, b) => (a && a.measured.rps >= b.measured.rps ? a : b), undefined);
	const bestOurs = best('eda');
	const bestBare = best('bare');
	const ratio = bestOurs && bestBare ? bestOurs.measured.rps / bestBare.measured.rps : NaN;
	const bestBatch = batchRuns.filter((b) => b.size >= 1000).reduce<BatchRun | undefined>((a, b) => (a && a.eventsPerS >= b.eventsPerS ? a : b), undefined);
	const limit = Math.max(0, ...limits.map((l) => l.eventsPerS));
	const limitRatio = bestBatch && limit > 0 ? bestBatch.eventsPerS / limit : NaN;
	const perEvent = (ms: number | undefined, b: BatchRun) => {
		const n = (b.measured.ok2xx + b.measured.non2xx) * b.size;
		return ms === undefined || n === 0 ? '-' : Number(((ms * 1000) / n).toFixed(2));
	};
	const allChecks = [...runs.flatMap((r) => r.checks), ...batchRuns.flatMap((b) => b.checks)];
	const non2xx = [...runs, ...batchRuns].reduce((sum, r) => sum + r.measured.non2xx + r.warmup.non2xx + r.measured.errors + r.measured.timeouts + r.warmup.errors + r.warmup.timeouts, 0);

	const perReq = (r: {cpu: CpuUse; measured: LoadFigures}, proc: string, per = 1) => {
		const ms = r.cpu.procsMs[proc];
		const n = (r.measured.ok2xx + r.measured.non2xx) * per;
		return ms === undefined || n === 0 ? null : Math.round((ms * 1000) / n);
	};
	const foreign = (cpu: CpuUse) => (cpu.foreignCores === undefined ? null : Math.round(cpu.foreignCores * 100) / 100);
	const roundRatios = [...new Set(runs.map((r) => r.round))].map((round) => {
		const o = runs.find((r) => r.round === round && r.target === 'eda');
		const b = runs.find((r) => r.round === round && r.target === 'bare');
		return o && b ? o.measured.rps / b.measured.rps : NaN;
	});
	const meanOf = (xs: (number | null)[]) => {
		const v = xs.filter((x): x is number => x !== null);
		return v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length;
	};
	const cpuOurs = meanOf(runs.filter((r) => r.target === 'eda').map((r) => perReq(r, 'server')));
	const cpuBare = meanOf(runs.filter((r) => r.target === 'bare').map((r) => perReq(r, 'server')));
	const tables: Table[] = [
		{
			title: `POST /topics/${topic}, one event per request (${plan.connections} connections, ${plan.warmupS} s warm-up + ${plan.durationS} s measured, order flipped each round)`,
			columns: ['run', 'req/s (mean)', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'server CPU us/req', 'redis CPU us/req', 'foreign cores', 'verified'],
			rows: runs.map((r) => figuresRow(`${r.target} (round ${r.round}, ${r.order === 1 ? 'first' : 'second'})`, r.measured, [perReq(r, 'server') ?? '-', perReq(r, 'redis') ?? '-', foreign(r.cpu) ?? '-', r.checks.every((c) => c.ok) ? 'yes' : 'NO'])),
			notes: [
				'server/redis CPU us/req: CPU time the server process / redis-server spent during the measured run, per request answered',
				'foreign cores: busy CPU on the machine not spent by the server, redis-server or the bench (autocannon) process; > 0.1 means the run was disturbed',
			],
		},
		{
			title: 'Best of each (the number the goal uses)',
			columns: ['target', 'req/s (mean)', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors'],
			rows: [bestOurs ? figuresRow('eda api-server', bestOurs.measured) : ['eda api-server'], bestBare ? figuresRow('bare express + PUBLISH', bestBare.measured) : ['bare']],
			notes: [
				`ours / bare (best of each) = ${Number.isFinite(ratio) ? ratio.toFixed(3) : '-'}; per round (adjacent runs): ${roundRatios.map((x) => x.toFixed(3)).join(', ')}`,
				`server CPU per request, mean over runs: eda ${Math.round(cpuOurs)} us, bare ${Math.round(cpuBare)} us (bare / eda = ${(cpuBare / cpuOurs).toFixed(3)})`,
			],
		},
		{
			title: `POST /topics/:topic/batch (${plan.batchWarmupS} s warm-up + ${plan.batchDurationS} s measured)`,
			columns: ['body', 'conns', 'events/s', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'server CPU us/event', 'redis CPU us/event', 'foreign cores', 'verified'],
			rows: batchRuns.map((b) => [b.label, b.connections, Math.round(b.eventsPerS), Math.round(b.measured.rps), b.measured.p50Ms, b.measured.p99Ms, b.measured.non2xx, b.measured.errors + b.measured.timeouts, perEvent(b.cpu.procsMs['server'], b), perEvent(b.redisCpuMs, b), foreign(b.cpu) ?? '-', b.checks.every((c) => c.ok) ? 'yes' : 'NO']),
			notes: [
				'producer started with --no-portal (no schema watcher reading the stream back), so it does the route\'s work only, as the Redis-alone run does',
				'server CPU: utime + stime of the api-server process (/proc, what its process.cpuUsage() reads) over the measured run, per event stored; Redis CPU: used_cpu_sys + used_cpu_user deltas (INFO cpu)',
			],
		},
		{
			title: "Redis alone with the batch route's work: its publish script, 1,000-event calls prepared beforehand, pipelined",
			columns: ['when', 'calls out', 'events', 'seconds', 'events/s', 'Redis CPU us/event', 'sender CPU us/event'],
			rows: limits.map((l) => [l.when, l.callsOut, l.events, Number(l.seconds.toFixed(2)), Math.round(l.eventsPerS), Number(l.redisUsPerEvent.toFixed(2)), Number(l.clientUsPerEvent.toFixed(2))]),
			notes: [
				`route (best 1,000-event batch, ${bestBatch ? Math.round(bestBatch.eventsPerS).toLocaleString('en-US') : '-'} events/s) ÷ Redis alone (better of the two, ${Math.round(limit).toLocaleString('en-US')} events/s) = ${Number.isFinite(limitRatio) ? limitRatio.toFixed(2) : '-'}`,
				'the calls carry every envelope field and PUBLISH each event, as the route\'s do; only HTTP and parsing are left out',
				'same events (the JSON array body\'s), same 1,000 a call, and as many calls out as the route\'s runs have connections (requests in flight)',
			],
		},
		{
			title: 'Checks against Redis',
			columns: ['run', 'check', 'ok', 'detail'],
			rows: [
				...runs.flatMap((r) => r.checks.map((c) => [`${r.target} r${r.round}`, c.what, c.ok ? 'ok' : 'FAIL', c.detail])),
				...batchRuns.flatMap((b) => b.checks.map((c) => [b.label, c.what, c.ok ? 'ok' : 'FAIL', c.detail])),
			],
		},
	];
	for (const [label, summary] of Object.entries(profiles)) tables.push(...profileTables(label, summary));

	const goals: Goal[] = [
		{name: 'ours / bare, requests/s', target: `>= ${ratioGoal}`, value: Number.isFinite(ratio) ? ratio.toFixed(3) : '-', met: ratio >= ratioGoal},
		{name: `batch events/s${bestBatch ? ` (${bestBatch.label})` : ''}`, target: `>= ${batchGoal.toLocaleString('en-US')}`, value: bestBatch ? Math.round(bestBatch.eventsPerS).toLocaleString('en-US') : '-', met: (bestBatch?.eventsPerS ?? 0) >= batchGoal},
		{
			name: 'batch route ÷ Redis alone, same calls (events/s)',
			target: `>= ${limitGoal}`,
			value: Number.isFinite(limitRatio) ? limitRatio.toFixed(2) : '-',
			met: limitRatio >= limitGoal,
		},
		{name: 'non-2xx and errors', target: '0', value: String(non2xx), met: non2xx === 0},
		{name: 'Redis holds what was answered 2xx', target: 'all checks', value: `${allChecks.filter((c) => c.ok).length}/${allChecks.length}`, met: allChecks.length > 0 && allChecks.every((c) => c.ok)},
	];
	notes.push(
		`how it ran: ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), node ${process.version}; one private redis-server, the producer (${producerMode}) and the bare app (node --import tsx bench/lib/bare-app.ts) as separate processes, autocannon in the bench process; all on 127.0.0.1; producer with default flags (--retain ${retain}, --max-body 1 MiB)`,
		`fairness: ${plan.rounds} rounds, order flipped each round (eda first, then bare first); the better run of each target counts`,
	);
	const disturbed = [...runs, ...batchRuns].filter((r) => (r.cpu.foreignCores ?? 0) > 0.25).length;
	if (disturbed > 0) {
		notes.push(
			`${disturbed} of ${runs.length + batchRuns.length} measured runs shared the machine with other work (foreign cores > 0.25, see the tables): req/s and the ratio are unreliable then; the CPU-per-request columns are the steadier comparison`,
		);
	}
	if (options.profile) notes.push(`profiling was on (node --cpu-prof on eda's producer and on the bare app alike): throughput figures are lower than without; profiles in ${path.relative(root, profileRoot ?? '')}`);
	return {
		tables,
		goals,
		notes,
		data: {plan, producerMode, build, ratio, roundRatios, limits, limitRatio, cpuPerRequestUs: {eda: cpuOurs, bare: cpuBare}, bestOurs: bestOurs?.measured, bestBare: bestBare?.measured, runs, batchRuns, profiles},
	};
}

