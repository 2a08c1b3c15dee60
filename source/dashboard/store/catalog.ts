// The Catalog view's rows: the portal's inferred catalog (portal/catalog.ts)
// joined with the declared schemas (portal/registry.ts), who consumes each
// topic, and the audit's findings (portal/audit.ts) as flags. Pure: the feed
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
	/** The audit's findings for this row, in its words. */
	findings: string[];
};

export type CatalogState = {
	loaded: boolean;
	rows: CatalogRow[];
	/** Why the last read failed, while it stands (the last rows stay). */
	error?: string;
};

/** Who consumes a topic, read live (portal/catalog.ts readConsumers). */
export type Consumers = {groups: {name: string; lag?: number}[]; subscribers: number; actors: {name: string; kind: string}[]};

/** One finding of the audit (portal/audit.ts auditCatalog), as far as the view uses it. */
export type AuditFinding = {kind: string; topic: string; type?: string; text: string};

/** The audit's finding kinds as the view names them. */
const flagOf: Record<string, AuditFlag> = {undeclared: 'undeclared', silent: 'silent', diverges: 'diverging', 'group-without-schema': 'ungoverned groups'};

/** The flags and findings of one row: the topic's findings, those of a type only on that type's row. */
function flagsFor(findings: AuditFinding[], topic: string, type: string | undefined): {flags: AuditFlag[]; findings: string[]} {
	const mine = findings.filter((f) => f.topic === topic && (f.type === undefined || f.type === type));
	const flags = [...new Set(mine.map((f) => flagOf[f.kind]).filter((flag): flag is AuditFlag => flag !== undefined))];
	return {flags, findings: mine.map((f) => f.text)};
}

/**
 * One row per inferred topic (and type), then one per declared topic nothing
 * was seen on; sorted by topic. Flags are the findings of the audit, the same
 * `eda portal audit` prints.
 */
export function catalogRows(entries: CatalogInput[], declared: DeclaredInput[], consumers: Map<string, Consumers>, findings: AuditFinding[]): CatalogRow[] {
	const declaredBy = new Map(declared.map((d) => [d.topic, d]));
	const none: Consumers = {groups: [], subscribers: 0, actors: []};
	const seen = new Set(entries.map((entry) => entry.topic));
	const rows: CatalogRow[] = entries.map((entry) => {
		const declaration = declaredBy.get(entry.topic);
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
			...flagsFor(findings, entry.topic, entry.type),
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
			...flagsFor(findings, declaration.topic, undefined),
		});
	}
	return rows.sort((a, b) => a.key.localeCompare(b.key));
}
