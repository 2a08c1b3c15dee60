// GET /topics bench: how long one GET /topics holds Redis, with 3,000 topics and
// with 60 topics of 1 MiB events. "before" runs the listing as it was until the
// paging fix (one script over every topic, kept here verbatim as the
// reference); "after" asks eda's producer app over HTTP. Redis's own SLOWLOG
// (threshold 0) times every command the request caused; the longest one is how
// long Redis served no one else.
//
//   npx tsx bench/run.ts topics [--quick]
import type {Server} from 'node:http';
import os from 'node:os';
import {Redis} from 'ioredis';
import {createProducerApp} from '../source/producer/app.js';
import {createRedis, waitReady} from '../source/redis/connect.js';
import {keys} from '../source/redis/keys.js';
import {startPrivateRedis, type PrivateRedis} from '../source/redis/private-server.js';
import {LuaScript} from '../source/redis/script.js';
import type {BenchOptions, BenchOutput, Goal, Table} from './lib/report.js';

/** The longest a GET /topics may hold Redis in one command. */
const holdGoalMs = 10;

// GET /topics before the fix (source/topics/list.ts and stream-lua.ts at 2f3d075, verbatim but for the stream key, which now carries
// the topic as its hash tag: eda:{<topic>}:stream): every topic's figures in one script.
const beforeTopicStatsLua = `
local function topicStats(streamPrefix, names, limit)
  if limit then table.sort(names) end
  local out = {}
  for n, name in ipairs(names) do
    local stored, retained, last = nil, 0, 0
    if limit and n > limit then stored, retained, last = '', '', '' end
    local info = stored == '' and {} or redis.pcall('XINFO', 'STREAM', streamPrefix .. name .. '}:stream')
    if type(info) == 'table' and not info.err then
      for i = 1, #info, 2 do
        local field = info[i]
        if field == 'length' then retained = info[i + 1]
        elseif field == 'entries-added' then stored = info[i + 1]
        elseif field == 'last-generated-id' then last = tonumber(string.match(info[i + 1], '^%d+')) or 0 end
      end
    end
    out[#out + 1] = name
    out[#out + 1] = stored or retained
    out[#out + 1] = retained
    out[#out + 1] = last
  end
  return out
end
`;
const beforeScript = new LuaScript(`${beforeTopicStatsLua}
return topicStats(ARGV[1], redis.call('HKEYS', KEYS[1]))`);

type Scenario = {label: string; topics: number; eventBytes: number};

type Timing = {
	/** Longest single Redis command the listing caused, ms. */
	longestMs: number;
	/** All of them together, ms. */
	totalMs: number;
	commands: number;
	/** Wall time of the whole listing as the client saw it, ms. */
	wallMs: number;
	/** Topics the listing answered. */
	listed: number;
};

type Row = {scenario: string; way: string; runs: Timing[]};

const median = (xs: number[]) => {
	const sorted = [...xs].sort((a, b) => a - b);
	return sorted.length === 0 ? NaN : (sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN);
};
/** What a listing sends Redis itself (XINFO STREAM and TIME run inside the scripts). */
const topLevel = new Set(['evalsha', 'eval', 'hkeys']);
const round = (x: number) => Math.round(x * 100) / 100;

/** Times what `listing` makes Redis do, from the SLOWLOG (every command, threshold 0). */
async function timed(admin: Redis, listing: () => Promise<number>): Promise<Timing> {
	await admin.slowlog('RESET');
	const started = process.hrtime.bigint();
	const listed = await listing();
	const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
	const entries = (await admin.slowlog('GET', -1)) as [number, number, number, string[]][];
	// Redis 7 also logs the commands a script calls, inside the script's own time: only the commands a client sent count.
	const durations = entries.filter(([, , , args]) => topLevel.has(String(args[0]).toLowerCase())).map(([, , us]) => us / 1000);
	return {longestMs: Math.max(0, ...durations), totalMs: durations.reduce((a, b) => a + b, 0), commands: durations.length, wallMs, listed};
}

async function fill(admin: Redis, scenario: Scenario): Promise<void> {
	await admin.flushall();
	const data = scenario.eventBytes > 100 ? 'x'.repeat(scenario.eventBytes) : '{"order_id":123}';
	for (let i = 0; i < scenario.topics; i += 100) {
		const pipeline = admin.pipeline();
		for (let j = i; j < Math.min(i + 100, scenario.topics); j++) {
			const topic = `bench.t${String(j).padStart(5, '0')}`;
			pipeline.xadd(keys.stream(topic), '*', 'data', data);
			pipeline.hsetnx(keys.topics, topic, '1');
		}
		await pipeline.exec();
	}
}

export default async function runTopics(options: BenchOptions): Promise<BenchOutput> {
	const loadBefore = os.loadavg()[0] ?? 0;
	const {log} = options;
	const repeats = options.quick ? 3 : 7;
	const scenarios: Scenario[] = [
		{label: '3,000 topics of small events', topics: 3000, eventBytes: 16},
		{label: '60 topics of 1 MiB events', topics: 60, eventBytes: 1024 * 1024},
	];
	let redis: PrivateRedis | undefined;
	let admin: Redis | undefined;
	let producerRedis: Redis | undefined;
	let server: Server | undefined;
	const rows: Row[] = [];
	try {
		redis = await startPrivateRedis({});
		admin = new Redis(redis.url, {maxRetriesPerRequest: null});
		await admin.config('SET', 'slowlog-log-slower-than', '0');
		await admin.config('SET', 'slowlog-max-len', '100000');
		producerRedis = createRedis(redis.url, {offlineQueue: false, commandTimeoutMs: 30_000});
		await waitReady(producerRedis, 5000);
		const app = createProducerApp({redis: producerRedis, maxBody: 2 * 1024 * 1024, retain: 10_000});
		server = await new Promise<Server>((resolve) => {
			const s = app.listen(0, '127.0.0.1', () => resolve(s));
		});
		const address = server.address();
		const api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
		const client = admin;
		const get = async (query: string) => {
			const response = await fetch(`${api}/topics${query}`);
			if (!response.ok) throw new Error(`GET /topics${query}: ${response.status} ${await response.text()}`);
			return (await response.json()) as {topics: unknown[]; next?: string};
		};
		for (const scenario of scenarios) {
			log(`${scenario.label}: filling`);
			await fill(client, scenario);
			const before: Timing[] = [];
			const firstPage: Timing[] = [];
			const allPages: Timing[] = [];
			for (let i = 0; i < repeats; i++) {
				before.push(await timed(client, async () => (await beforeScript.run(client, [keys.topics], ['eda:{']) as unknown[]).length / 4));
				firstPage.push(await timed(client, async () => (await get('')).topics.length));
				allPages.push(
					await timed(client, async () => {
						let listed = 0;
						let after: string | undefined;
						for (;;) {
							const page = await get(after === undefined ? '' : `?after=${encodeURIComponent(after)}`);
							listed += page.topics.length;
							if (page.next === undefined) return listed;
							after = page.next;
						}
					}),
				);
			}
			rows.push({scenario: scenario.label, way: 'before: one script over every topic', runs: before});
			rows.push({scenario: scenario.label, way: 'after: GET /topics (first page, 200)', runs: firstPage});
			rows.push({scenario: scenario.label, way: 'after: GET /topics, every page', runs: allPages});
			log(`${scenario.label}: longest command before ${round(median(before.map((t) => t.longestMs)))} ms, after ${round(median(firstPage.map((t) => t.longestMs)))} ms`);
		}
	} finally {
		server?.closeAllConnections();
		await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
		producerRedis?.disconnect();
		admin?.disconnect();
		await redis?.stop();
	}

	const tables: Table[] = [
		{
			title: `What one listing makes Redis do (SLOWLOG of every command; median of ${repeats} runs, worst in brackets)`,
			columns: ['scenario', 'listing', 'topics listed', 'longest command ms', 'Redis time ms', 'commands', 'wall ms'],
			rows: rows.map((row) => [
				row.scenario,
				row.way,
				median(row.runs.map((t) => t.listed)),
				`${round(median(row.runs.map((t) => t.longestMs)))} (${round(Math.max(...row.runs.map((t) => t.longestMs)))})`,
				round(median(row.runs.map((t) => t.totalMs))),
				median(row.runs.map((t) => t.commands)),
				round(median(row.runs.map((t) => t.wallMs))),
			]),
			notes: [
				'longest command: how long Redis served no other client in one go; Redis time: every command of the listing together',
				'after: names in one HKEYS, then one short script per topic of the page (pipelined), so Redis serves other clients between topics',
				"before: the listing as it was (one script: HKEYS and XINFO STREAM of every topic, which copies each stream's first and last entries into Lua)",
				'after: XINFO STREAM FULL COUNT 1, which copies only the first entry',
			],
		},
	];
	// The median run judges: on a shared machine one run in several is stretched by other work (the worst is shown too).
	const goals: Goal[] = rows
		.filter((row) => row.way.startsWith('after'))
		.map((row) => {
			const typical = median(row.runs.map((t) => t.longestMs));
			return {name: `${row.scenario}, ${row.way.replace('after: ', '')}: longest Redis command (median run)`, target: `<= ${holdGoalMs} ms`, value: `${round(typical)} ms`, met: typical <= holdGoalMs};
		});
	// The listing as it was, measured in the same run: the fix must shorten the hold in each scenario.
	for (const scenario of new Set(rows.map((row) => row.scenario))) {
		const of = (prefix: string) => median(rows.find((row) => row.scenario === scenario && row.way.startsWith(prefix))?.runs.map((t) => t.longestMs) ?? []);
		const before = of('before');
		const after = of('after: GET /topics, every');
		goals.push({name: `${scenario}: longest command, before / after (every page)`, target: '>= 4', value: Number.isFinite(before / after) ? (before / after).toFixed(1) : '-', met: before / after >= 4});
	}
	// Figures and goals only: the verdict is bench/lib/report.ts's, from the goals.
	return {
		tables,
		goals,
		notes: [
			`how it ran: ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), node ${process.version}; one private redis-server; eda's producer app in the bench process, asked over HTTP on 127.0.0.1`,
			// SLOWLOG times are wall time: a redis-server that waits for a CPU mid-command shows it.
			`machine load (1-minute average) ${loadBefore.toFixed(2)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end, on ${os.cpus().length} CPU(s): above the CPU count, every figure here is stretched by other work`,
		],
		data: {repeats, holdGoalMs, rows},
	};
}
