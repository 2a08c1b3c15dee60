// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went:
// self time per function, time per package/area, and inclusive time of the
// functions in the files we care about.
import {readFileSync} from 'node:fs';

type CallFrame = {functionName: string; url: string; lineNumber: number; columnNumber: number};
type ProfileNode = {id: number; callFrame: CallFrame; children?: number[]};
type Profile = {nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number};

export type ProfileSummary = {
	file: string;
	totalMs: number;
	idleMs: number;
	busyMs: number;
	/** Self time, biggest first. Percentages are of busy (non-idle) time. */
	selfTop: {fn: string; where: string; ms: number; pct: number}[];
	/** Self time per area (a package, node internals, our sources). */
	areas: {area: string; ms: number; pct: number}[];
	/** Inclusive (self + callees) time of functions defined in the watched files. */
	watched: {fn: string; where: string; inclusiveMs: number; inclusivePct: number; selfMs: number}[];
};

function shortUrl(url: string): string {
	const nm = url.lastIndexOf('node_modules/');
	if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
	const dist = url.indexOf('/dist/');
	if (dist >= 0) return url.slice(dist + 1);
	return url.replace(/^file:\/\//, '');
}

function areaOf(frame: CallFrame): string {
	const {url, functionName} = frame;
	if (url === '') {
		if (functionName === '(idle)') return '(idle)';
		if (functionName === '(garbage collector)') return '(gc)';
		if (functionName === '(program)') return '(program)';
		return '(native/builtin)';
	}
	const nm = url.lastIndexOf('node_modules/');
	if (nm >= 0) {
		const rest = url.slice(nm + 'node_modules/'.length).split('/');
		return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
	}
	if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]?.replace(/^internal\//, 'internal/') ?? ''}`;
	const dist = url.indexOf('/dist/');
	if (dist >= 0) return url.slice(dist + 1).split('/').slice(0, 3).join('/');
	return url;
}

export function summarizeProfile(file: string, watchedFiles: string[], top = 25): ProfileSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
	const byId = new Map<number, ProfileNode>();
	const parent = new Map<number, number>();
	for (const node of profile.nodes) {
		byId.set(node.id, node);
		for (const child of node.children ?? []) parent.set(child, node.id);
	}
	const selfUs = new Map<number, number>();
	for (let i = 0; i < profile.samples.length; i++) {
		const id = profile.samples[i] as number;
		// V8's timeDeltas[i] is the time before sample i; attribute the next delta to it.
		const dt = profile.timeDeltas[i + 1] ?? 0;
		selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
	}
	let totalUs = 0;
	let idleUs = 0;
	const fnSelf = new Map<string, {fn: string; where: string; us: number}>();
	const areaSelf = new Map<string, number>();
	const watchedIncl = new Map<string, {fn: string; where: string; us: number; selfUs: number}>();
	const keyOf = (frame: CallFrame) => `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
	for (const [id, us] of selfUs) {
		const node = byId.get(id);
		if (!node) continue;
		totalUs += us;
		const area = areaOf(node.callFrame);
		if (area === '(idle)') {
			idleUs += us;
			continue;
		}
		areaSelf.set(area, (areaSelf.get(area) ?? 0) + us);
		const key = keyOf(node.callFrame);
		const entry = fnSelf.get(key) ?? {fn: node.callFrame.functionName || '(anonymous)', where: `${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`, us: 0};
		entry.us += us;
		fnSelf.set(key, entry);
		// Inclusive time: credit every watched function on the stack once.
		const seen = new Set<string>();
		for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
			const frame = byId.get(cur)?.callFrame;
			if (!frame || !watchedFiles.some((w) => frame.url.endsWith(w))) continue;
			const k = keyOf(frame);
			if (seen.has(k)) continue;
			seen.add(k);
			const w = watchedIncl.get(k) ?? {fn: frame.functionName || '(anonymous)', where: `${shortUrl(frame.url)}:${frame.lineNumber + 1}`, us: 0, selfUs: 0};
			w.us += us;
			if (cur === id) w.selfUs += us;
			watchedIncl.set(k, w);
		}
	}
	const busyUs = totalUs - idleUs;
	const pct = (us: number) => Math.round((us / Math.max(1, busyUs)) * 1000) / 10;
	const ms = (us: number) => Math.round(us / 100) / 10;
	return {
		file,
		totalMs: ms(totalUs),
		idleMs: ms(idleUs),
		busyMs: ms(busyUs),
		selfTop: [...fnSelf.values()].sort((a, b) => b.us - a.us).slice(0, top).map((e) => ({fn: e.fn, where: e.where, ms: ms(e.us), pct: pct(e.us)})),
		areas: [...areaSelf.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([area, us]) => ({area, ms: ms(us), pct: pct(us)})),
		watched: [...watchedIncl.values()].sort((a, b) => b.us - a.us).map((e) => ({fn: e.fn, where: e.where, inclusiveMs: ms(e.us), inclusivePct: pct(e.us), selfMs: ms(e.selfUs)})),
	};
}
