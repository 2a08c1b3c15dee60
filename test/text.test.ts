// The text helpers every screen and command writes with (source/text/).
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import stringWidth from 'string-width';
import type {StoredEvent} from '../source/browser/events.js';
import {traceLine} from '../source/browser/format.js';
import {formatStatus} from '../source/commands/mesh.js';
import type {LinkReport} from '../source/mesh/figures.js';
import {bar, count, countdown, cut, duration, hardWrap, money, pad, padStart, rate, since, wrap} from '../source/text/index.js';

describe('cut: sanitized, cut with an ellipsis, never padded', () => {
	test('short text is kept as it is; exact width is not cut', () => {
		assert.equal(cut('abc', 10), 'abc');
		assert.equal(cut('abcde', 5), 'abcde');
		assert.equal(cut('abcdef', 5), 'abcd…');
	});

	test('width 0 or less is nothing; width 1 is only the ellipsis', () => {
		assert.equal(cut('abc', 0), '');
		assert.equal(cut('abc', -3), '');
		assert.equal(cut('', 5), '');
		assert.equal(cut('abc', 1), '…');
	});

	test('control characters are shown, not obeyed, and count as what is shown', () => {
		assert.equal(cut('a\x1b[2Jb', 20), 'a\\x1b[2Jb');
		assert.equal(cut('a\x07b', 4), 'a\\x…');
	});

	test('wide characters take two cells and are never split', () => {
		assert.equal(cut('漢字かな', 8), '漢字かな');
		assert.equal(cut('漢字かな', 5), '漢字…');
		assert.equal(cut('漢字かな', 4), '漢…');
		assert.equal(cut('🚀🚀🚀', 4), '🚀…');
		// A combining accent takes no cell and stays with its letter.
		assert.equal(cut('e\u0301'.repeat(6), 4), 'e\u0301'.repeat(3) + '…');
	});

	test('a huge payload is cut without sanitizing all of it, and still ends in an ellipsis', () => {
		const huge = 'x'.repeat(1024 * 1024);
		assert.equal(cut(huge, 10), `${'x'.repeat(9)}…`);
		assert.equal(cut('🚀'.repeat(100), 20), `${'🚀'.repeat(9)}…`);
		// Sliced in the middle of an emoji's surrogate pair after zero-width marks: no half character is left.
		const shown = cut(`${'\u0301'.repeat(47)}🚀${'x'.repeat(100)}`, 20);
		assert.ok(shown.endsWith('…'), shown);
		assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(shown), 'a lone surrogate');
	});
});

describe('pad and padStart: cut, then filled to exactly the width', () => {
	test('pad fills after the text, padStart before it', () => {
		assert.equal(pad('ab', 5), 'ab   ');
		assert.equal(padStart('ab', 5), '   ab');
		assert.equal(pad('abcde', 5), 'abcde');
		assert.equal(padStart('abcde', 5), 'abcde');
	});

	test('too long: cut with an ellipsis, not silently', () => {
		assert.equal(pad('abcdef', 5), 'abcd…');
		assert.equal(padStart('123456', 5), '1234…');
	});

	test('width 0 is nothing', () => {
		assert.equal(pad('abc', 0), '');
		assert.equal(padStart('abc', 0), '');
		assert.equal(pad('', 0), '');
	});

	test('network text is sanitized', () => {
		assert.equal(pad('\x1b', 6), '\\x1b  ');
		assert.equal(padStart('\r', 3), ' \\r');
	});

	test('wide characters: the result takes exactly the width in cells', () => {
		for (const text of ['漢字かな', '🚀x', 'aé漢', '漢字かな漢字かな', 'e\u0301e\u0301x', '👨\u200d👩\u200d👧ab', '한국어', 'Привет']) {
			for (let width = 1; width <= 10; width++) {
				assert.equal(stringWidth(pad(text, width)), width, `pad(${text}, ${width}) = "${pad(text, width)}"`);
				assert.equal(stringWidth(padStart(text, width)), width, `padStart(${text}, ${width})`);
			}
		}
		assert.equal(pad('漢字かな', 5), '漢字…');
		assert.equal(pad('漢字かな', 4), '漢… ');
		assert.equal(padStart('🚀x', 4), ' 🚀x');
	});
});

describe('wrap: sanitized words onto lines', () => {
	test('words fill each line up to the width', () => {
		assert.deepEqual(wrap('the quick brown fox', 9), ['the quick', 'brown fox']);
		assert.deepEqual(wrap('the quick brown fox', 10), ['the quick', 'brown fox']);
		assert.deepEqual(wrap('the quick brown fox', 19), ['the quick brown fox']);
	});

	test('a word longer than the line is cut with an ellipsis', () => {
		assert.deepEqual(wrap('a supercalifragilistic word', 8), ['a', 'superca…', 'word']);
	});

	test('runs of whitespace and newlines are one break', () => {
		assert.deepEqual(wrap('a  b\n\tc', 10), ['a b c']);
	});

	test('always at least one line, even for empty text or width 0', () => {
		assert.deepEqual(wrap('', 10), ['']);
		assert.deepEqual(wrap('   ', 10), ['']);
		assert.deepEqual(wrap('a b', 0), ['']);
	});

	test('control characters inside words are shown, not obeyed', () => {
		assert.deepEqual(wrap('a\x1b[2Jb c', 20), ['a\\x1b[2Jb c']);
	});

	test('wide characters are measured in cells', () => {
		assert.deepEqual(wrap('漢字 かな 漢字', 9), ['漢字 かな', '漢字']);
	});
});

describe('hardWrap: rows broken between any two characters', () => {
	test('every character kept, rows of the width; exact width is one row', () => {
		assert.deepEqual(hardWrap('abcdefg', 3), ['abc', 'def', 'g']);
		assert.deepEqual(hardWrap('abcdef', 3), ['abc', 'def']);
		assert.deepEqual(hardWrap('abc', 3), ['abc']);
	});

	test('at least one row, even for empty text or width 0', () => {
		assert.deepEqual(hardWrap('', 5), ['']);
		assert.deepEqual(hardWrap('abc', 0), ['']);
	});

	test('sanitized before it is broken', () => {
		assert.deepEqual(hardWrap('\x1b[2J', 4), ['\\x1b', '[2J']);
	});

	test('wide characters and emoji are never split and each row fits', () => {
		const rows = hardWrap('ab漢字🚀e\u0301xy', 3);
		assert.deepEqual(rows, ['ab', '漢', '字', '🚀e\u0301', 'xy']);
		for (const row of rows) assert.ok(stringWidth(row) <= 3, row);
		// A character wider than the row still shows, on a row of its own.
		assert.deepEqual(hardWrap('漢字', 1), ['漢', '字']);
	});
});

describe('duration: one format for every length of time', () => {
	test('milliseconds below a second', () => {
		assert.equal(duration(0), '0ms');
		assert.equal(duration(850), '850ms');
		assert.equal(duration(999.4), '999ms');
	});

	test('tenths of a second below ten seconds, ".0" left out', () => {
		assert.equal(duration(999.5), '1s');
		assert.equal(duration(1000), '1s');
		assert.equal(duration(1049), '1s');
		assert.equal(duration(1050), '1.1s');
		assert.equal(duration(4250), '4.3s');
		assert.equal(duration(9949), '9.9s');
	});

	test('whole seconds below a minute', () => {
		assert.equal(duration(9950), '10s');
		assert.equal(duration(12_300), '12s');
		assert.equal(duration(59_499), '59s');
	});

	test('rounding to a minute makes minutes: 59.5 s is "1m", never "60s"', () => {
		assert.equal(duration(59_500), '1m');
		assert.equal(duration(60_000), '1m');
		assert.equal(duration(125_000), '2m5s');
		assert.equal(duration(3_599_499), '59m59s');
	});

	test('rounding to an hour makes hours: 3599.5 s is "1h", never "60m"', () => {
		assert.equal(duration(3_599_500), '1h');
		assert.equal(duration(3_629_999), '1h');
		assert.equal(duration(3_630_000), '1h1m');
		assert.equal(duration(7_500_000), '2h5m');
		assert.equal(duration(48 * 3_600_000), '48h');
	});

	test('a negative length (clock skew) is zero', () => {
		assert.equal(duration(-1), '0ms');
		assert.equal(duration(-125_000), '0ms');
	});
});

describe('countdown and since', () => {
	test('ahead is "in", just past due is "now", later is "overdue" (never "ago")', () => {
		assert.equal(countdown(13_000, 10_000), 'in 3s');
		assert.equal(countdown(10_000, 10_000), 'in 0ms');
		assert.equal(countdown(10_000, 10_499), 'now');
		assert.equal(countdown(10_000, 10_500), 'overdue 500ms');
		assert.equal(countdown(10_000, 13_000), 'overdue 3s');
		assert.equal(countdown(10_000, 10_000 + 125_000), 'overdue 2m5s');
	});

	test('since is for finished things', () => {
		assert.equal(since(10_000, 13_000), '3s ago');
		assert.equal(since(0, 7_500_000), '2h5m ago');
	});
});

describe('count, rate, money', () => {
	test('count: exact below ten thousand, then three significant digits', () => {
		assert.equal(count(0), '0');
		assert.equal(count(9999), '9999');
		assert.equal(count(10_000), '10.0k');
		assert.equal(count(12_345), '12.3k');
		assert.equal(count(99_949), '99.9k');
		assert.equal(count(99_950), '100k');
		assert.equal(count(999_499), '999k');
		assert.equal(count(999_500), '1.00M');
		assert.equal(count(4_560_000), '4.56M');
		assert.equal(count(45_600_000), '45.6M');
		assert.equal(count(999_500_000), '1.00G');
		assert.equal(count(1_200_000_000), '1.20G');
	});

	test('count: never wider than five characters below a thousand G', () => {
		for (let n = 1; n < 1e12; n = Math.ceil(n * 1.37)) assert.ok(count(n).length <= 5, `count(${n}) = ${count(n)}`);
	});

	test('rate: "0" when idle, tenths below ten, then like count', () => {
		assert.equal(rate(0), '0');
		assert.equal(rate(0.04), '0.0');
		assert.equal(rate(0.4), '0.4');
		assert.equal(rate(9.94), '9.9');
		assert.equal(rate(9.95), '10');
		assert.equal(rate(123.4), '123');
		assert.equal(rate(12_345.6), '12.3k');
	});

	test('money: cents as dollars, the sign before the dollar', () => {
		assert.equal(money(1234), '$12.34');
		assert.equal(money(5), '$0.05');
		assert.equal(money(0), '$0.00');
		assert.equal(money(-50), '-$0.50');
	});
});

describe('bar', () => {
	test('value over max in cells; anything above zero shows at least one', () => {
		assert.equal(bar(5, 10, 4), '██··');
		assert.equal(bar(1, 1000, 10), '█·········');
		assert.equal(bar(0, 10, 5), '·····');
		assert.equal(bar(10, 10, 5), '█████');
	});

	test('never wider than the width; width 0 or max 0 draw nothing filled', () => {
		assert.equal(bar(20, 10, 4), '████');
		assert.equal(bar(5, 10, 0), '');
		assert.equal(bar(5, 0, 3), '···');
		assert.equal(bar(-1, 10, 3), '···');
	});
});

describe('one duration format in the headless commands too: eda trace and eda mesh status', () => {
	const event = (topic: string, id: string): StoredEvent => ({
		topic,
		entryId: '1764590000000-0',
		ms: 1764590000000,
		envelope: {specversion: '1.0', id, source: 'shop', type: topic, time: '2026-12-01T12:00:00Z', datacontenttype: 'application/json', data: '{}'},
	});

	test("a trace line's time since its cause is duration()'s", () => {
		for (const gapMs of [850, 2000, 4_250, 59_960, 125_000, 7_500_000]) {
			const line = traceLine({event: event('orders.paid', 'p1'), depth: 1, gapMs, causeMissing: false});
			assert.ok(line.startsWith(`└─ +${duration(gapMs)} orders.paid`), `${gapMs} ms: ${line}`);
		}
	});

	test("eda mesh status writes a link's state time, latency and idle time with duration(); '-' before the first", () => {
		const link: LinkReport = {
			link: 'east>west', from: 'east', to: 'west', state: 'up', stateForMs: 125_000, forwarded: 10, duplicates: 0, hopLimited: 0, dropped: 0,
			rate: 1, backlog: 0, latencyMs: 2000, idleMs: -1, topics: ['t'], pid: 1, process: 'mesh:h:1', ageMs: 100, processes: [],
		};
		const [, line = ''] = formatStatus([link], {});
		assert.match(line, /^east>west +up 2m5s +1 +0 +2s +- +10 +0 +0$/);
	});
});
