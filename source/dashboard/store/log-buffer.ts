// The log pane's lines: a fixed-size ring, so a flood of events keeps memory
// flat. Lines carry a sequence number that doubles as their React key.

export type LogLine = {
	/** Sequence number since start; stable, unique, used as the row key. */
	id: number;
	/** ms, local clock: when the line arrived (only shown, never compared with Redis time). */
	at: number;
	actor: string;
	/** Raw text as the actor printed it; sanitized when drawn. */
	text: string;
};

export const defaultLogCapacity = 5000;
/** Longest line kept: a 1 MiB payload must not sit in memory five thousand times. */
export const maxLineLength = 2000;

export class LogBuffer {
	private readonly ring: (LogLine | undefined)[];
	private start = 0;
	private size = 0;
	/** Lines ever pushed; the next line's id. */
	total = 0;

	constructor(readonly capacity = defaultLogCapacity) {
		this.ring = new Array<LogLine | undefined>(capacity);
	}

	get length(): number {
		return this.size;
	}

	push(actor: string, text: string, at = Date.now()): void {
		const line: LogLine = {id: this.total++, at, actor, text: text.length > maxLineLength ? `${text.slice(0, maxLineLength)}…` : text};
		if (this.size < this.capacity) {
			this.ring[(this.start + this.size) % this.capacity] = line;
			this.size++;
		} else {
			this.ring[this.start] = line;
			this.start = (this.start + 1) % this.capacity;
		}
	}

	clear(): void {
		this.ring.fill(undefined);
		this.start = 0;
		this.size = 0;
	}

	/** Line `index` counted from the oldest kept line. */
	at(index: number): LogLine | undefined {
		if (index < 0 || index >= this.size) return undefined;
		return this.ring[(this.start + index) % this.capacity];
	}

	/** Kept lines, oldest first, that match `filter` (case-insensitive substring). */
	lines(filter = ''): LogLine[] {
		const needle = filter.toLowerCase();
		const out: LogLine[] = [];
		for (let i = 0; i < this.size; i++) {
			const line = this.ring[(this.start + i) % this.capacity];
			if (!line) continue;
			if (needle && !`${line.actor} ${line.text}`.toLowerCase().includes(needle)) continue;
			out.push(line);
		}
		return out;
	}

	/**
	 * The `count` lines ending `fromBottom` lines above the newest match: what
	 * the pane shows. Walks backwards, so a full buffer costs only what is seen.
	 */
	window(count: number, fromBottom: number, filter = '', beforeId = Infinity): {lines: LogLine[]; matching: number} {
		const needle = filter.toLowerCase();
		const picked: LogLine[] = [];
		let matching = 0;
		for (let i = this.size - 1; i >= 0; i--) {
			const line = this.ring[(this.start + i) % this.capacity];
			if (!line || line.id >= beforeId) continue;
			if (needle && !`${line.actor} ${line.text}`.toLowerCase().includes(needle)) continue;
			if (matching >= fromBottom && picked.length < count) picked.push(line);
			matching++;
			if (!needle && beforeId === Infinity && picked.length === count) {
				matching = this.size;
				break;
			}
		}
		return {lines: picked.reverse(), matching};
	}
}
