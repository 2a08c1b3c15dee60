// What a bench hands back, how the runner prints it, and the verdict. Benches
// written by others may return anything; `normalize` turns it into tables as
// best it can. A bench never declares itself ok: the verdict comes from its
// goals here (every goal met, none missing, no error), so a missed goal or a
// failed check fails `npm run bench`.

export type Cell = string | number | boolean | null | undefined;

export type Table = {
	title: string;
	columns: string[];
	rows: Cell[][];
	/** Lines printed under the table. */
	notes?: string[];
};

/** `met` is computed from the figures by the bench; checks against Redis are goals too. */
export type Goal = {name: string; target: string; value: string; met: boolean};

/** What a bench module returns: figures and goals, no verdict of its own. */
export type BenchOutput = {
	tables: Table[];
	goals: Goal[];
	notes?: string[];
	/** Everything measured, for the JSON file. */
	data: unknown;
};

export type BenchResult = {
	name: string;
	/** Derived by `failuresOf`: true only when the bench ran and met every goal. */
	ok: boolean;
	startedAt: string;
	finishedAt: string;
	durationS: number;
	tables: Table[];
	goals: Goal[];
	notes: string[];
	/** Everything measured, for the JSON file. */
	data: unknown;
	error?: string;
};

export type BenchOptions = {
	quick: boolean;
	/** Write a CPU profile of the system under test when the bench supports it. */
	profile: boolean;
	/** Progress lines (stderr). */
	log: (line: string) => void;
};

export function fmt(value: Cell, digits = 0): string {
	if (value === null || value === undefined) return '-';
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return String(value);
		if (digits === 0) return value.toLocaleString('en-US', {maximumFractionDigits: Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : 2});
		return value.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
	}
	return String(value);
}

export function renderTable(table: Table): string {
	const cells = table.rows.map((row) => row.map((cell) => (typeof cell === 'string' ? cell : fmt(cell))));
	const widths = table.columns.map((column, i) => Math.max(column.length, ...cells.map((row) => (row[i] ?? '').length)));
	const numeric = table.columns.map((_c, i) => table.rows.every((row) => typeof row[i] === 'number' || row[i] === null || row[i] === undefined));
	const line = (row: string[]) =>
		row.map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
	const out = [table.title, line(table.columns), widths.map((w) => '-'.repeat(w)).join('  ')];
	for (const row of cells) out.push(line(table.columns.map((_c, i) => row[i] ?? '')));
	for (const note of table.notes ?? []) out.push(`  ${note}`);
	return out.join('\n');
}

/**
 * Why a result fails, one line each (the error, each missed goal); empty when
 * it passes. A bench with no goals fails too: it has nothing to be judged by.
 */
export function failuresOf(result: Pick<BenchResult, 'goals' | 'error'>): string[] {
	const reasons: string[] = [];
	if (result.error) reasons.push(`error: ${result.error.split('\n')[0]}`);
	for (const goal of result.goals) if (goal.met !== true) reasons.push(`goal missed: ${goal.name}: ${goal.value} (target ${goal.target})`);
	if (!result.error && result.goals.length === 0) reasons.push('no goals: nothing to judge the figures by');
	return reasons;
}

/** The closing line of a run: each bench passed or what failed it. */
export function summaryOf(results: BenchResult[]): string {
	if (results.length === 0) return 'no bench ran';
	return results.map((r) => (r.ok ? `${r.name}: ok` : `${r.name}: FAILED (${failuresOf(r).join('; ')})`)).join('\n');
}

/** The runner's exit code: 1 when any bench failed or none ran. */
export function exitCodeOf(results: BenchResult[]): number {
	return results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
}

export function renderResult(result: BenchResult): string {
	const parts = [`== ${result.name} ${result.ok ? '' : '(FAILED) '}(${result.durationS.toFixed(1)} s)`];
	if (result.error) parts.push(`error: ${result.error}`);
	for (const table of result.tables) parts.push(renderTable(table));
	if (result.goals.length > 0) {
		parts.push(
			renderTable({
				title: 'Goals',
				columns: ['goal', 'target', 'measured', 'met'],
				rows: result.goals.map((goal) => [goal.name, goal.target, goal.value, goal.met ? 'yes' : 'NO']),
			}),
		);
	}
	for (const note of result.notes) parts.push(`note: ${note}`);
	const reasons = failuresOf(result);
	if (reasons.length > 0) parts.push(`FAILED:\n${reasons.map((r) => `  ${r}`).join('\n')}`);
	return parts.join('\n\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cellOf(value: unknown): Cell {
	if (value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
	return JSON.stringify(value);
}

function tableOfRecords(title: string, records: Record<string, unknown>[]): Table {
	const columns: string[] = [];
	for (const record of records) for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
	return {title, columns, rows: records.map((record) => columns.map((column) => cellOf(record[column])))};
}

function isTable(value: unknown): value is Table {
	return isRecord(value) && Array.isArray(value['columns']) && Array.isArray(value['rows']);
}

/** Tables from whatever a bench returned: our shape, tables, rows, or a flat object. */
export function tablesOf(name: string, value: unknown): Table[] {
	if (isRecord(value) && Array.isArray(value['tables']) && value['tables'].every(isTable)) {
		return (value['tables'] as Table[]).map((table) => ({...table, title: table.title ?? name}));
	}
	if (isTable(value)) return [{...value, title: (value as Table).title ?? name}];
	if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) return [tableOfRecords(name, value)];
	if (isRecord(value)) {
		const tables: Table[] = [];
		const flat: [string, Cell][] = [];
		for (const [key, item] of Object.entries(value)) {
			if (Array.isArray(item) && item.length > 0 && item.every(isRecord)) tables.push(tableOfRecords(`${name}: ${key}`, item));
			else if (isRecord(item) && Object.values(item).every((v) => !isRecord(v) && !Array.isArray(v))) {
				for (const [inner, v] of Object.entries(item)) flat.push([`${key}.${inner}`, cellOf(v)]);
			} else flat.push([key, cellOf(item)]);
		}
		if (flat.length > 0) tables.unshift({title: name, columns: ['measure', 'value'], rows: flat});
		return tables;
	}
	if (value === undefined) return [];
	return [{title: name, columns: ['result'], rows: [[cellOf(value)]]}];
}

function goalsOf(value: Record<string, unknown>): Goal[] {
	if (!Array.isArray(value['goals'])) return [];
	return (value['goals'] as unknown[]).map((g, i) => {
		const goal = isRecord(g) ? g : {};
		const text = (key: string, fallback: string) => (typeof goal[key] === 'string' ? (goal[key] as string) : fallback);
		// Anything but a boolean true is a goal not met: a goal that cannot be read cannot pass.
		return {name: text('name', `goal ${i + 1}`), target: text('target', '?'), value: text('value', '?'), met: goal['met'] === true};
	});
}

/** A BenchResult from a bench's return value, judged on its goals (any `ok` it sets is ignored). */
export function normalize(name: string, value: unknown, startedAt: Date, finishedAt: Date): BenchResult {
	const base = {
		name,
		startedAt: startedAt.toISOString(),
		finishedAt: finishedAt.toISOString(),
		durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
	};
	const judged = (result: Omit<BenchResult, 'ok'>): BenchResult => ({...result, ok: failuresOf(result).length === 0});
	if (isRecord(value) && Array.isArray(value['tables']) && Array.isArray(value['goals']) && 'data' in value) {
		const error = typeof value['error'] === 'string' && value['error'] !== '' ? {error: value['error']} : {};
		const notes = Array.isArray(value['notes']) ? value['notes'].map(String) : [];
		return judged({...base, tables: (value['tables'] as unknown[]).filter(isTable), goals: goalsOf(value), notes, data: value['data'], ...error});
	}
	return judged({...base, tables: tablesOf(name, value), goals: isRecord(value) ? goalsOf(value) : [], notes: [], data: value});
}

export function failed(name: string, error: string, startedAt: Date, finishedAt: Date, data?: unknown): BenchResult {
	return {
		name,
		ok: false,
		startedAt: startedAt.toISOString(),
		finishedAt: finishedAt.toISOString(),
		durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
		tables: [],
		goals: [],
		notes: [],
		data: data ?? null,
		error,
	};
}
