// What the Catalog view's detail draws, as plain lines: a schema as a tree
// (one line a field, its type, required or not) and the field-level diff of
// the last change. Each line carries a marker (+ added, - removed, ~ changed)
// that the view shows in any terminal and colours where colour is on. Every
// name comes from the traffic: the view cuts and pads it (text/, which
// sanitises), nothing here writes to the terminal.
import type {CatalogVersion, SchemaChange} from './store/catalog.js';

export type Marker = '+' | '-' | '~' | ' ';

export type TreeLine = {indent: number; name: string; type: string; required: boolean; marker: Marker; pointer: string};

export type DiffLine = {marker: Marker; path: string; text: string};

/** Lines the tree stops at: a schema recorded as a map can still be deep. */
const maxTreeLines = 400;
const maxDepth = 24;

type Schema = {[key: string]: unknown};

function isSchema(value: unknown): value is Schema {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON pointer token (RFC 6901). */
function escapeToken(name: string): string {
	return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** A schema's type in a few words: "string", "integer|null", "object", "map of number", "non-JSON". */
export function typeText(schema: unknown): string {
	if (!isSchema(schema)) return schema === true ? 'any' : schema === false ? 'nothing' : '?';
	if (schema['x-eda-non-json'] === true) return 'non-JSON';
	const type = schema['type'];
	let text = typeof type === 'string' ? type : Array.isArray(type) ? type.filter((t) => typeof t === 'string').join('|') : '';
	for (const combinator of ['anyOf', 'oneOf']) {
		const options = schema[combinator];
		if (Array.isArray(options)) text = options.map((option) => typeText(option)).join('|');
	}
	if (!text && isSchema(schema['properties'])) text = 'object';
	if (isSchema(schema['additionalProperties']) && !isSchema(schema['properties'])) text = `map of ${typeText(schema['additionalProperties'])}`;
	if (typeof schema['format'] === 'string') text += ` (${schema['format']})`;
	if (Array.isArray(schema['enum'])) text += ` enum(${schema['enum'].length})`;
	return text || 'any';
}

/** Marker for a change kind: added, removed, or anything else changed. */
export function markerOf(kind: string): Marker {
	if (/added|opened/.test(kind)) return '+';
	if (/removed|closed/.test(kind)) return '-';
	return '~';
}

/** The marker each pointer gets from a change list (a change's path marks the field it names). */
function markers(changes: SchemaChange[]): Map<string, Marker> {
	return new Map(changes.map((change) => [change.path, markerOf(change.kind)]));
}

/** The schema as tree lines, fields in the schema's order; changed fields marked from the last change. */
export function schemaTree(schema: unknown, change?: CatalogVersion): TreeLine[] {
	const marked = markers(change?.changes ?? []);
	const lines: TreeLine[] = [{indent: 0, name: '(event)', type: typeText(schema), required: true, marker: marked.get('') ?? ' ', pointer: ''}];
	const walk = (node: unknown, pointer: string, indent: number) => {
		if (!isSchema(node) || indent > maxDepth) return;
		const props = node['properties'];
		if (isSchema(props)) {
			const needed = new Set(Array.isArray(node['required']) ? node['required'].filter((n) => typeof n === 'string') : []);
			for (const [name, child] of Object.entries(props)) {
				if (lines.length >= maxTreeLines) return;
				const at = `${pointer}/properties/${escapeToken(name)}`;
				lines.push({indent, name, type: typeText(child), required: needed.has(name), marker: marked.get(at) ?? ' ', pointer: at});
				walk(child, at, indent + 1);
			}
		}
		const items = node['items'];
		if (isSchema(items) && lines.length < maxTreeLines) {
			const at = `${pointer}/items`;
			lines.push({indent, name: '[]', type: typeText(items), required: false, marker: marked.get(at) ?? ' ', pointer: at});
			walk(items, at, indent + 1);
		}
	};
	walk(schema, '', 1);
	// A field the last change removed is no longer in the schema: list it, marked, so the tree shows it went.
	for (const [pointer, marker] of marked) {
		if (marker === '-' && !lines.some((line) => line.pointer === pointer) && /\/properties\/[^/]+$/.test(pointer)) {
			const name = (pointer.split('/').at(-1) ?? '').replaceAll('~1', '/').replaceAll('~0', '~');
			lines.push({indent: pointer.split('/properties/').length - 1, name, type: 'removed', required: false, marker, pointer});
		}
	}
	return lines;
}

/** A value from a change, short: "integer", "[\"a\",\"b\"]". */
function short(value: unknown): string {
	if (value === undefined) return '';
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/**
 * The last change as diff lines: each change (marker, pointer, what changed),
 * then each compatibility it breaks and why.
 */
export function diffLines(change: CatalogVersion): DiffLine[] {
	const lines: DiffLine[] = change.changes.map((c) => {
		const values = c.before !== undefined || c.after !== undefined ? ` (${short(c.before) || '—'} → ${short(c.after) || '—'})` : '';
		return {marker: markerOf(c.kind), path: c.path || '/', text: `${c.kind}${values}${c.text ? `: ${c.text}` : ''}`};
	});
	const directions = new Set(change.breaks.map((b) => b.direction));
	for (const b of change.breaks) {
		lines.push({marker: ' ', path: b.path || '/', text: `breaks ${b.direction.toUpperCase()}: ${b.why}${b.openContentTrap ? ' (open content model)' : ''}`});
	}
	const verdicts = (['backward', 'forward'] as const).map((d) => `${d.toUpperCase()} ${directions.has(d) ? 'broken' : 'kept'}`);
	const full = directions.size === 0 ? 'FULL kept' : 'FULL broken';
	lines.push({marker: ' ', path: '', text: `compatibility: ${[...verdicts, full].join(', ')}`});
	return lines;
}
