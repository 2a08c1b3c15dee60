// Pane sizes from the terminal size. The last row is never drawn on: an Ink
// frame as tall as the terminal makes Ink clear and redraw the whole screen.
export const minColumns = 80;
export const minRows = 24;
/** Redis and producer, actors and notices, key hints. */
export const statusRows = 3;

export type Layout = {
	columns: number;
	/** Rows drawn: the terminal's minus the last one. */
	rows: number;
	left: number;
	right: number;
	topics: number;
	log: number;
	queues: number;
	deferred: number;
	/** Rows between the top and the status bar (overlays use it whole). */
	body: number;
};

export function tooSmall(columns: number, rows: number): boolean {
	return columns < minColumns || rows < minRows;
}

export function layout(columns: number, terminalRows: number): Layout {
	const rows = terminalRows - 1;
	const body = rows - statusRows;
	const right = Math.max(38, Math.round(columns * 0.45));
	const left = columns - right;
	const topics = Math.max(8, Math.round(body * 0.4));
	const queues = 8;
	return {columns, rows, left, right, topics, log: body - topics, queues, deferred: body - queues, body};
}
