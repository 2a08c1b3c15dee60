// The Catalog view's rows: the portal's inferred catalog (portal/catalog.ts)
// joined with the declared schemas (portal/registry.ts) and the consumer
// groups the refresher already reads, with the audit's flags. Pure: the feed
// (feed/catalog.ts) reads Redis and hands the result to the store in one batch.
type Schema = {[key: string]: unknown};

/** portal/compat.ts Change and Break, as far as the view draws them. */
export type SchemaChange = {path: string; kind: string; before?: unknown; after?: unknown; text: string};
export type SchemaBreak = SchemaChange & {direction: 'backward' | 'forward'; why: string; openContentTrap?: boolean};
export type CatalogVersion = {version: number; at: number; changes: SchemaChange[]; breaks: SchemaBreak[]};

/** portal/catalog.ts CatalogEntry (the fields the view uses). */
export type CatalogInput = {
	topic: string;
	type?: string;
	version: number;
	schema: Schema;
	versions: CatalogVersion[];
	producers: Record<string, number>;
	firstSeen: number;
	lastSeen: number;
	rate: number;
	sample?: string;
	nonJson?: boolean;
};

/** portal/registry.ts Declared (the fields the view uses). */
export type DeclaredInput = {topic: string; version: number; schema: Schema; compat: string; mode: 'enforce' | 'warn'};

export type AuditFlag = 'undeclared' | 'silent' | 'diverging' | 'ungoverned groups';

export type CatalogRow = {
	/** topic, or topic and CloudEvents type when a topic carries several. */
	key: string;
	topic: string;
	type?: string;
	/** Inferred version; 0 when nothing was seen (declared only). */
	version: number;
	declaredVersion?: number;
	mode: 'none' | 'enforce' | 'warn';
	compat?: string;
	producers: {name: string; count: number}[];
	consumers: Consumers;
	rate: number;
	lastSeen?: number;
	/** The inferred schema, else the declared one. */
	schema: Schema;
	lastChange?: CatalogVersion;
	nonJson: boolean;
	flags: AuditFlag[];
};

export type CatalogState = {
	loaded: boolean;
	rows: CatalogRow[];
	/** Why the last read failed, while it stands (the last rows stay). */
	error?: string;
};

/** Who consumes a topic, read live (portal/catalog.ts readConsumers). */
export type Consumers = {groups: {name: string; lag?: number}[]; subscribers: number; actors: {name: string; kind: string}[]};

/** A declared topic with no event for this long is silent. */
export const silentAfterMs = 15 * 60_000;

/** JSON Schema `type` as a list of names. */
function types(schema: unknown): string[] {
	if (typeof schema !== 'object' || schema === null) return [];
	const type = (schema as Schema)['type'];
	if (typeof type === 'string') return [type];
	if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
	return [];
}

function properties(schema: unknown): Record<string, unknown> {
	if (typeof schema !== 'object' || schema === null) return {};
	const props = (schema as Schema)['properties'];
	return typeof props === 'object' && props !== null ? (props as Record<string, unknown>) : {};
}

function required(schema: unknown): string[] {
	if (typeof schema !== 'object' || schema === null) return [];
	const list = (schema as Schema)['required'];
	return Array.isArray(list) ? list.filter((name): name is string => typeof name === 'string') : [];
}

/**
 * Whether the traffic's shape differs from the declared one: a field the
 * events carry that the declaration lacks, a required declared field the
 * events do not always carry, or a type the declaration does not allow
 * (integer fits number). Descriptions, formats and bounds are the
 * declaration's business, not divergence.
 */
export function diverges(declared: unknown, inferred: unknown, depth = 0): boolean {
	if (depth > 32) return false;
	const allowed = types(declared);
	const seen = types(inferred).filter((t) => !(t === 'integer' && allowed.includes('number')));
	if (allowed.length > 0 && seen.some((t) => !allowed.includes(t))) return true;
	const want = properties(declared);
	const got = properties(inferred);
	if (Object.keys(got).some((name) => !(name in want))) return Object.keys(want).length > 0 || (declared as Schema)?.['additionalProperties'] === false;
	const always = new Set(required(inferred));
	if (required(declared).some((name) => name in got && !always.has(name))) return true;
	if (required(declared).some((name) => !(name in got)) && Object.keys(got).length > 0) return true;
	for (const [name, schema] of Object.entries(got)) if (name in want && diverges(want[name], schema, depth + 1)) return true;
	const items = (inferred as Schema)?.['items'];
	const declaredItems = (declared as Schema)?.['items'];
	return items !== undefined && declaredItems !== undefined && diverges(declaredItems, items, depth + 1);
}

/**
 * One row per inferred topic (and type), then one per declared topic nothing
 * was seen on; sorted by topic. Flags as `eda portal audit` names them.
 */
export function catalogRows(entries: CatalogInput[], declared: DeclaredInput[], consumers: Map<string, Consumers>, now: number): CatalogRow[] {
	const declaredBy = new Map(declared.map((d) => [d.topic, d]));
	const none: Consumers = {groups: [], subscribers: 0, actors: []};
	const seen = new Set(entries.map((entry) => entry.topic));
	const rows: CatalogRow[] = entries.map((entry) => {
		const declaration = declaredBy.get(entry.topic);
		const flags: AuditFlag[] = [];
		if (!declaration) flags.push('undeclared');
		if (declaration && now - entry.lastSeen > silentAfterMs) flags.push('silent');
		if (declaration && !entry.nonJson && diverges(declaration.schema, entry.schema)) flags.push('diverging');
		if (!declaration && (consumers.get(entry.topic)?.groups.length ?? 0) > 0) flags.push('ungoverned groups');
		return {
			key: entry.type ? `${entry.topic} · ${entry.type}` : entry.topic,
			topic: entry.topic,
			type: entry.type,
			version: entry.version,
			declaredVersion: declaration?.version,
			mode: declaration?.mode ?? 'none',
			compat: declaration?.compat,
			producers: Object.entries(entry.producers)
				.map(([name, count]) => ({name, count}))
				.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
			consumers: consumers.get(entry.topic) ?? none,
			rate: entry.rate,
			lastSeen: entry.lastSeen,
			schema: entry.schema,
			lastChange: entry.versions.at(-1),
			nonJson: entry.nonJson === true,
			flags,
		};
	});
	for (const declaration of declared) {
		if (seen.has(declaration.topic)) continue;
		rows.push({
			key: declaration.topic,
			topic: declaration.topic,
			version: 0,
			declaredVersion: declaration.version,
			mode: declaration.mode,
			compat: declaration.compat,
			producers: [],
			consumers: consumers.get(declaration.topic) ?? none,
			rate: 0,
			schema: declaration.schema,
			nonJson: false,
			flags: ['silent'],
		});
	}
	return rows.sort((a, b) => a.key.localeCompare(b.key));
}
