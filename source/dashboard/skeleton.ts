// The first frame, drawn before Ink and React have even loaded (on Node 20
// their module graph takes most of a second to load): the layout's pane
// borders and titles, Redis "connecting…" and the key hints, as plain text
// from the same layout() the app uses. Ink's first frame replaces it.
import {hints} from './keymap.js';
import {layout, minColumns, minRows, tooSmall} from './layout.js';

function pane(number: number, title: string, width: number, height: number, focused: boolean, body: string): string[] {
	const label = focused ? `▶ ${number} ${title} ◀` : ` ${number} ${title} `;
	const [h, v, tl, tr, bl, br] = focused ? ['═', '║', '╔', '╗', '╚', '╝'] : ['─', '│', '┌', '┐', '└', '┘'];
	const inner = width - 2;
	const rows = [`${tl}${h}${label}${h.repeat(Math.max(0, width - 3 - label.length))}${tr}`];
	for (let i = 0; i < height - 2; i++) rows.push(`${v}${(i === 0 ? body : '').slice(0, inner).padEnd(inner)}${v}`);
	rows.push(`${bl}${h.repeat(inner)}${br}`);
	return rows;
}

// Not text/'s cut (which pads nothing but adds an ellipsis and loads string-width): every string here is our own, one cell a character, and the first frame loads nothing it can do without.
const clip = (text: string, width: number) => (text.length <= width ? text : text.slice(0, width));

/** The whole first frame: rows joined by newlines (the tty adds the CR), never reaching the terminal's last row. */
export function skeleton(columns: number, rows: number): string {
	if (tooSmall(columns, rows)) return `The terminal is too small for eda (${columns}×${rows}); make it at least ${minColumns}×${minRows}, or press q to quit.`;
	const size = layout(columns, rows);
	const left = [...pane(1, 'Topics', size.left, size.topics, true, ' connecting to Redis…'), ...pane(4, 'Log', size.left, size.log, false, '')];
	const right = [...pane(2, 'Queues', size.right, size.queues, false, ''), ...pane(3, 'Deferred', size.right, size.deferred, false, '')];
	const screen = left.map((row, i) => row + (right[i] ?? ''));
	screen.push(clip('Redis connecting… │ producer starting', columns), clip('actors 0 here, 0 elsewhere', columns), clip(hints, columns));
	return screen.join('\n');
}
