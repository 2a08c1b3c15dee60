// `npm run bench` judges each bench on its goals: a missed goal or a failed
// check fails the run, named, with a non-zero exit; a bench cannot declare
// itself ok.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {exitCodeOf, failuresOf, normalize, renderResult, summaryOf} from '../bench/lib/report.js';
import {runScript} from './helpers/process.js';

const startedAt = new Date('2026-12-01T12:00:00Z');
const finishedAt = new Date('2026-12-01T12:01:00Z');
const table = {title: 'Drain', columns: ['worker', 'events/s'], rows: [['eda', 25_000]]};
const met = {name: 'chaos: lost events', target: '0', value: '0', met: true};
const missed = {name: 'drain: ours ÷ BullMQ', target: '≥ 1.0', value: '0.85', met: false};

test('bench report: a missed goal fails the bench, named, and the run exits 1', () => {
	const result = normalize('deferred', {tables: [table], goals: [met, missed], data: {}}, startedAt, finishedAt);
	assert.equal(result.ok, false);
	assert.deepEqual(failuresOf(result), ['goal missed: drain: ours ÷ BullMQ: 0.85 (target ≥ 1.0)']);
	assert.match(renderResult(result), /== deferred \(FAILED\)/);
	assert.match(renderResult(result), /FAILED:\n {2}goal missed: drain: ours ÷ BullMQ: 0\.85 \(target ≥ 1\.0\)/);
	assert.equal(summaryOf([result]), 'deferred: FAILED (goal missed: drain: ours ÷ BullMQ: 0.85 (target ≥ 1.0))');
	assert.equal(exitCodeOf([result]), 1);
});

test('bench report: every goal met passes, and the run exits 0', () => {
	const result = normalize('deferred', {tables: [table], goals: [met], data: {}}, startedAt, finishedAt);
	assert.equal(result.ok, true);
	assert.deepEqual(failuresOf(result), []);
	assert.doesNotMatch(renderResult(result), /FAILED/);
	assert.equal(summaryOf([result]), 'deferred: ok');
	assert.equal(exitCodeOf([result]), 0);
});

test('bench report: a bench saying ok: true is still judged on its goals', () => {
	const result = normalize('ingest', {ok: true, tables: [], goals: [missed], notes: [], data: null}, startedAt, finishedAt);
	assert.equal(result.ok, false);
	// The same from a bench whose return value is not in the report's shape.
	const foreign = normalize('other', {ok: true, rate: 12, goals: [missed]}, startedAt, finishedAt);
	assert.equal(foreign.ok, false);
	assert.deepEqual(failuresOf(foreign), ['goal missed: drain: ours ÷ BullMQ: 0.85 (target ≥ 1.0)']);
});

test('bench report: one failed bench among passing ones fails the run', () => {
	const good = normalize('ingest', {tables: [], goals: [met], data: null}, startedAt, finishedAt);
	const bad = normalize('deferred', {tables: [], goals: [missed], data: null}, startedAt, finishedAt);
	assert.equal(exitCodeOf([good, bad]), 1);
	assert.equal(summaryOf([good, bad]), 'ingest: ok\ndeferred: FAILED (goal missed: drain: ours ÷ BullMQ: 0.85 (target ≥ 1.0))');
	assert.equal(exitCodeOf([]), 1, 'no bench ran: nothing passed');
});

test('bench report: no goals, an unreadable goal or an error is a failure', () => {
	const none = normalize('quiet', {tables: [], goals: [], data: null}, startedAt, finishedAt);
	assert.equal(none.ok, false);
	assert.deepEqual(failuresOf(none), ['no goals: nothing to judge the figures by']);
	const figuresOnly = normalize('figures', {rate: 12}, startedAt, finishedAt);
	assert.equal(figuresOnly.ok, false);
	const unreadable = normalize('odd', {tables: [], goals: [{name: 'p99', target: '< 50 ms', value: '12 ms', met: 'yes'}], data: null}, startedAt, finishedAt);
	assert.equal(unreadable.ok, false);
	assert.deepEqual(failuresOf(unreadable), ['goal missed: p99: 12 ms (target < 50 ms)']);
	const errored = normalize('broken', {tables: [], goals: [met], data: null, error: 'redis went away\n    at stack'}, startedAt, finishedAt);
	assert.equal(errored.ok, false);
	assert.deepEqual(failuresOf(errored), ['error: redis went away']);
});

/** Runs `npm run bench`'s runner on a folder of benches; its exit code and output. */
function runBench(dir: string, names: string[]) {
	return runScript(path.join('bench', 'run.ts'), names, {env: {EDA_BENCH_DIR: dir}, timeoutMs: 110_000});
}

function benchModule(goal: object): string {
	return `export default async function run() {\n\treturn {tables: [], goals: [${JSON.stringify(goal)}], notes: [], data: null};\n}\n`;
}

test('npm run bench: exits 1 naming the missed goal, 0 when every goal is met', {timeout: 120_000}, async () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eda-bench-report-'));
	try {
		writeFileSync(path.join(dir, 'slow.ts'), benchModule(missed));
		writeFileSync(path.join(dir, 'fast.ts'), benchModule(met));
		const failing = await runBench(dir, ['slow']);
		assert.equal(failing.code, 1, failing.stderr);
		assert.match(failing.stdout, /slow: FAILED \(goal missed: drain: ours ÷ BullMQ: 0\.85 \(target ≥ 1\.0\)\)/);
		const passing = await runBench(dir, ['fast']);
		assert.equal(passing.code, 0, passing.stderr);
		assert.match(passing.stdout, /^fast: ok$/m);
	} finally {
		rmSync(dir, {recursive: true, force: true});
	}
});
