// CPU time per process and for the whole machine, from /proc (Linux). On a
// shared 2-core box the req/s of a run depends on what else is running; the
// CPU each server spent per request does much less, and the foreign share says
// how disturbed a run was.
import {readFileSync} from 'node:fs';
import os from 'node:os';

const tick = 100; // USER_HZ: clock ticks per second on Linux

function procMs(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// Fields after the command name (which may hold spaces) start after the last ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(fields[11]) + Number(fields[12])) * 1000) / tick;
	} catch {
		return undefined;
	}
}

function machineMs(): {busy: number; total: number} | undefined {
	try {
		const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
		const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
		const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
		return {busy: (busy * 1000) / tick, total: ((busy + (idle ?? 0) + (iowait ?? 0)) * 1000) / tick};
	} catch {
		return undefined;
	}
}

export type CpuSample = {at: number; machine?: {busy: number; total: number}; procs: Record<string, number | undefined>; load1: number};

export function sampleCpu(pids: Record<string, number | undefined>): CpuSample {
	const procs: Record<string, number | undefined> = {};
	for (const [name, pid] of Object.entries(pids)) procs[name] = pid === undefined ? undefined : procMs(pid);
	return {at: performance.now(), machine: machineMs(), procs, load1: os.loadavg()[0] ?? 0};
}

export type CpuUse = {
	wallMs: number;
	/** CPU ms per process over the interval. */
	procsMs: Record<string, number>;
	/** Busy share of the whole machine (all cores), 0..1. */
	machineBusy?: number;
	/** Busy CPU not spent by the listed processes, in cores (0..cpus). */
	foreignCores?: number;
	load1: number;
};

export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
	const procsMs: Record<string, number> = {};
	let ours = 0;
	for (const name of Object.keys(b.procs)) {
		const before = a.procs[name];
		const after = b.procs[name];
		if (before === undefined || after === undefined) continue;
		procsMs[name] = after - before;
		ours += after - before;
	}
	const wallMs = b.at - a.at;
	const use: CpuUse = {wallMs, procsMs, load1: b.load1};
	if (a.machine && b.machine) {
		const busy = b.machine.busy - a.machine.busy;
		const total = b.machine.total - a.machine.total;
		use.machineBusy = total > 0 ? busy / total : undefined;
		use.foreignCores = Math.max(0, (busy - ours) / Math.max(1, wallMs));
	}
	return use;
}
