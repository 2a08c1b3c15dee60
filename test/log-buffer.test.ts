// LogBuffer (dashboard/store/log-buffer.ts), the Log pane's ring, called
// directly: what it keeps, in which order, and what a window of it shows.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {LogBuffer, maxLineLength} from '../source/dashboard/store/log-buffer.js';

const texts = (lines: {text: string}[]) => lines.map((line) => line.text);

function filled(capacity: number, count: number, actor = (i: number) => (i % 2 ? 'worker' : 'master')): LogBuffer {
	const buffer = new LogBuffer(capacity);
	for (let i = 0; i < count; i++) buffer.push(actor(i), `line ${i}`, 1000 + i);
	return buffer;
}

test('below capacity: every line, oldest first, with ids from 0 and the time given', () => {
	const buffer = filled(5, 3);
	assert.equal(buffer.length, 3);
	assert.equal(buffer.total, 3);
	assert.deepEqual(buffer.lines(), [
		{id: 0, at: 1000, actor: 'master', text: 'line 0'},
		{id: 1, at: 1001, actor: 'worker', text: 'line 1'},
		{id: 2, at: 1002, actor: 'master', text: 'line 2'},
	]);
	assert.equal(buffer.at(0)?.text, 'line 0');
	assert.equal(buffer.at(3), undefined);
	assert.equal(buffer.at(-1), undefined);
});

test('past capacity the oldest lines go; ids keep counting, so they stay unique row keys', () => {
	const buffer = filled(3, 8);
	assert.equal(buffer.length, 3);
	assert.equal(buffer.total, 8);
	assert.deepEqual(texts(buffer.lines()), ['line 5', 'line 6', 'line 7']);
	assert.deepEqual(buffer.lines().map((line) => line.id), [5, 6, 7]);
	assert.equal(buffer.at(0)?.id, 5);
	assert.equal(buffer.at(2)?.id, 7);
});

test(`a line longer than ${maxLineLength} characters is cut there and marked with …`, () => {
	const buffer = new LogBuffer(2);
	buffer.push('a', 'x'.repeat(maxLineLength));
	buffer.push('a', 'y'.repeat(maxLineLength + 1));
	assert.equal(buffer.at(0)?.text, 'x'.repeat(maxLineLength), 'exactly the limit is kept whole');
	assert.equal(buffer.at(1)?.text, `${'y'.repeat(maxLineLength)}…`);
});

test('clear() empties the ring but ids go on from the total', () => {
	const buffer = filled(3, 5);
	buffer.clear();
	assert.equal(buffer.length, 0);
	assert.deepEqual(buffer.lines(), []);
	buffer.push('a', 'after');
	assert.deepEqual(buffer.lines().map((line) => [line.id, line.text]), [[5, 'after']]);
});

test('the filter is a case-insensitive substring of the actor and the text', () => {
	const buffer = new LogBuffer(10);
	buffer.push('master', 'Recieved Message');
	buffer.push('worker', 'Processing event: 1');
	buffer.push('orders', 'paymentAuthorized');
	assert.deepEqual(texts(buffer.lines('WORKER')), ['Processing event: 1']);
	assert.deepEqual(texts(buffer.lines('message')), ['Recieved Message']);
	assert.deepEqual(texts(buffer.lines('master recieved')), ['Recieved Message'], 'actor and text read as "actor text"');
	assert.deepEqual(buffer.lines('nothing like it'), []);
});

test('window(): the last `count` lines, `fromBottom` lines up from the newest, and how many match', () => {
	const buffer = filled(10, 10);
	assert.deepEqual(buffer.window(3, 0), {lines: buffer.lines().slice(7), matching: 10});
	assert.deepEqual(texts(buffer.window(3, 2).lines), ['line 5', 'line 6', 'line 7']);
	assert.deepEqual(texts(buffer.window(3, 9).lines), ['line 0'], 'scrolled near the top: what is left');
	assert.deepEqual(buffer.window(3, 10).lines, [], 'scrolled past the top: nothing');
	assert.deepEqual(buffer.window(0, 0), {lines: [], matching: 10});
});

test('window() with a filter counts every match, and with beforeId leaves out lines that came after it (a paused log)', () => {
	const buffer = filled(10, 10);
	const workers = buffer.window(2, 0, 'worker');
	assert.deepEqual(texts(workers.lines), ['line 7', 'line 9']);
	assert.equal(workers.matching, 5);
	assert.deepEqual(texts(buffer.window(2, 1, 'worker').lines), ['line 5', 'line 7']);
	const paused = buffer.window(3, 0, '', 6);
	assert.deepEqual(texts(paused.lines), ['line 3', 'line 4', 'line 5']);
	assert.equal(paused.matching, 6, 'only lines before id 6 count');
});

test('window() over a full ring that has wrapped reads the kept lines only, in order', () => {
	const buffer = filled(4, 11);
	assert.deepEqual(buffer.window(10, 0), {lines: buffer.lines(), matching: 4});
	assert.deepEqual(texts(buffer.window(2, 1).lines), ['line 8', 'line 9']);
});
