// The one filter grammar of the event list's `/`, `eda events --where` and
// `--grep`: plain text found anywhere in an event's payload or ids, or one
// comparison of a field (`customer=John Doe`, `total>40`, `status!=paid`).
// Pure: the search (search.ts) runs it over entries it reads in steps.
import type {Envelope} from '../topics/envelope.js';

export type Comparison = '=' | '!=' | '>' | '<' | '>=' | '<=';

export type Filter =
	| {kind: 'text'; text: string}
	| {kind: 'field'; path: string[]; op: Comparison; value: string; number?: number};

/** A filter that cannot be read: its message is the one line the user sees. */
export class FilterError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'FilterError';
	}
}

/** `field`, `a.b`, `items[0].sku` or `items.0.sku`: letters, digits, _ - $ and dots. */
const pathPattern = /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+|\[\d+\])*$/;
const comparison = /^(.*?)(!=|>=|<=|=|>|<)(.*)$/s;

export const filterGrammar = 'text, or field=value, field!=value, field>number, field<number (>= and <= too); a field is a payload path such as customer.name or items[0].sku, or an attribute such as id, source, type, correlationid';

/**
 * Reads a filter. Text with no comparison sign is a text filter; a sign after
 * something that is not a field path is text too (`a b=c` finds "a b=c"), so
 * only a field with a bad value is refused.
 */
export function parseFilter(expression: string): Filter {
	const text = expression.trim();
	if (text === '') throw new FilterError('an empty filter: give text to find, or field=value');
	const found = comparison.exec(text);
	if (!found) return {kind: 'text', text};
	const field = (found[1] ?? '').trim();
	const op = found[2] as Comparison;
	const value = (found[3] ?? '').trim();
	if (field === '') throw new FilterError(`filter "${text}": no field before ${op} (expected ${filterGrammar})`);
	if (!pathPattern.test(field)) return {kind: 'text', text};
	const path = field.replace(/\[(\d+)\]/g, '.$1').split('.');
	if (op === '>' || op === '<' || op === '>=' || op === '<=') {
		const number = Number(value);
		if (value === '' || !Number.isFinite(number)) throw new FilterError(`filter "${text}": ${op} compares numbers, and "${value}" is not a number`);
		return {kind: 'field', path, op, value, number};
	}
	return {kind: 'field', path, op, value};
}

/** What one event offers a filter: the payload as text and (parsed once, lazily) as JSON, and its attributes. */
export type Candidate = {envelope: Envelope; entryId: string};

const unparsed = Symbol('unparsed');

/** The value at a path of the payload, else an attribute of the envelope by that name. */
function fieldValue(candidate: Candidate, path: string[], parsed: {value: unknown}): unknown {
	let value: unknown = parsed.value;
	for (const step of path) {
		if (value !== null && typeof value === 'object' && Object.hasOwn(value, step)) value = (value as Record<string, unknown>)[step];
		else {
			value = unparsed;
			break;
		}
	}
	if (value !== unparsed) return value;
	if (path.length !== 1) return undefined;
	const name = path[0] as string;
	if (name === 'entry') return candidate.entryId;
	const {envelope} = candidate;
	const attribute = (envelope as unknown as Record<string, unknown>)[name];
	if (typeof attribute === 'string' && name !== 'data') return attribute;
	return envelope.extensions?.[name];
}

function parseData(data: string): {value: unknown} {
	try {
		return {value: JSON.parse(data)};
	} catch {
		return {value: undefined};
	}
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function compare(value: unknown, filter: Extract<Filter, {kind: 'field'}>): boolean {
	if (value === undefined) return filter.op === '!=';
	if (filter.number !== undefined) {
		const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
		if (!Number.isFinite(n)) return false;
		if (filter.op === '>') return n > filter.number;
		if (filter.op === '<') return n < filter.number;
		if (filter.op === '>=') return n >= filter.number;
		return n <= filter.number;
	}
	// A number in the payload equals "40" and "40.0"; anything else compares as its text.
	const equal = typeof value === 'number' && filter.value.trim() !== '' && Number.isFinite(Number(filter.value)) ? value === Number(filter.value) : asText(value) === filter.value;
	return filter.op === '=' ? equal : !equal;
}

/** Whether an event passes every filter. Text is found case-insensitively in the payload, the envelope id, the entry id, the correlation and causation ids, the source and the type. */
export function matches(candidate: Candidate, filters: Filter[]): boolean {
	let parsed: {value: unknown} | undefined;
	for (const filter of filters) {
		if (filter.kind === 'text') {
			const needle = filter.text.toLowerCase();
			const {envelope} = candidate;
			const hay = [envelope.data, envelope.id, candidate.entryId, envelope.correlationid ?? '', envelope.causationid ?? '', envelope.source, envelope.type];
			if (!hay.some((text) => text.toLowerCase().includes(needle))) return false;
		} else {
			parsed ??= parseData(candidate.envelope.data);
			if (!compare(fieldValue(candidate, filter.path, parsed), filter)) return false;
		}
	}
	return true;
}

/** The text a view highlights for these filters in a line: a text filter's text, a field filter's value. */
export function highlightTerms(filters: Filter[]): string[] {
	return filters.map((f) => (f.kind === 'text' ? f.text : f.op === '=' ? f.value : '')).filter((t) => t !== '');
}
