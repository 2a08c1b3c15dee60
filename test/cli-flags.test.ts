// Each command takes only its own flags (source/cli/flags.ts commandFlags):
// `eda --help` names every flag of every command, a flag a command does not
// take is a usage error naming both, and a flag's bad value is worded the same
// whichever command it is given to. Real processes; no Redis is reached.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {commandFlags, commandName, commandOf, flagSpec} from '../source/cli/flags.js';
import {packageRoot, runCli, stackTrace} from './helpers/process.js';

// Nothing answers here: a command that got past its flags would say "Cannot reach Redis" and exit 1.
const deadRedis = 'redis://127.0.0.1:1';

/**
 * The section of `eda --help` that documents a row of the table: the first
 * whose heading starts with the row's words, dropping the last word until one
 * does (`lab orders` is under "eda lab <name>", `consumer -d -m` under "eda consumer -d").
 */
function sectionOf(row: string, bySection: Map<string, string>): [string, string] | undefined {
	if (row === '') return [...bySection].find(([heading]) => heading.startsWith('eda (the dashboard)'));
	for (let words = row.split(' '); words.length > 0; words = words.slice(0, -1)) {
		const prefix = `eda ${words.join(' ')}`;
		const found = [...bySection].find(([heading]) => heading === prefix || heading.startsWith(`${prefix} `));
		if (found) return found;
	}
	return undefined;
}

/** The help's sections by heading: a line indented two spaces starts one. */
function sections(help: string): Map<string, string> {
	const found = new Map<string, string>();
	let heading = '';
	for (const line of help.split('\n')) {
		if (/^ {2}\S/.test(line)) heading = line.trim();
		else found.set(heading, `${found.get(heading) ?? ''}${line}\n`);
	}
	return found;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** How help must write a flag: --name (--no-name for one on by default), and its short form. */
function spellings(name: keyof typeof flagSpec): string[] {
	const spec = flagSpec[name];
	const long = 'default' in spec && spec.default === true ? `--no-${kebab(name)}` : `--${kebab(name)}`;
	return 'shortFlag' in spec ? [long, `-${spec.shortFlag}`] : [long];
}

const names = (text: string, flag: string) => new RegExp(`(^|[\\s,(\\[])${flag}(?![\\w-])`, 'm').test(text);

describe('eda --help names every flag every command takes', () => {
	test("each row's flags in its own section (or among the common flags)", async () => {
		const result = await runCli(['--help']);
		assert.equal(result.code, 0, result.stderr);
		const bySection = sections(result.stdout);
		const common = [...bySection].find(([heading]) => heading === 'Common flags')?.[1];
		assert.ok(common, 'a Common flags section');
		const missing: string[] = [];
		for (const [row, flags] of Object.entries(commandFlags)) {
			const section = sectionOf(row, bySection);
			assert.ok(section, `a section for ${commandName(row)} in eda --help`);
			const text = `${section[0]}\n${section[1]}`;
			for (const flag of flags.flatMap(spellings)) if (!names(text, flag) && !names(common, flag)) missing.push(`${flag} (${commandName(row)})`);
		}
		assert.deepEqual(missing, [], 'flags a command takes that eda --help does not name where that command is described');
	});

	test('--help and --version with a command answer, instead of starting it', async () => {
		for (const args of [['api-server', '--help'], ['consumer', '-t', 'x', '--help'], ['lab', 'orders', '--help']]) {
			const result = await runCli([...args, '--redis-url', deadRedis]);
			assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stdout, /Usage/);
			assert.equal(result.stderr, '');
		}
		const version = await runCli(['deferred', 'list', '--version', '--redis-url', deadRedis]);
		assert.equal(version.code, 0, version.stderr);
		assert.match(version.stdout, /^\d+\.\d+\.\d+/);
	});
});

describe('which row a command line is', () => {
	test("every command cli.tsx dispatches has a row (without one it would take any flag, and --help's check would miss it)", () => {
		const dispatched = [...readFileSync(path.join(packageRoot, 'cli.tsx'), 'utf8').matchAll(/^\t\tcase '([^']*)':/gm)].map((match) => match[1] ?? '');
		assert.ok(dispatched.includes('') && dispatched.includes('events'), `read the dispatch: ${dispatched.join(', ')}`);
		const rows = Object.keys(commandFlags);
		const missing = dispatched.filter((command) => !rows.some((row) => row === command || row.startsWith(`${command} `)));
		assert.deepEqual(missing, []);
	});


	test('consumer -d and -m pick their own rows; actions their own; unknown ones none', () => {
		const off = {defferedExec: false, deferredExec: false, master: false};
		assert.equal(commandOf([], off), '');
		assert.equal(commandOf(['consumer'], off), 'consumer');
		assert.equal(commandOf(['consumer'], {...off, defferedExec: true}), 'consumer -d');
		assert.equal(commandOf(['consumer'], {...off, deferredExec: true}), 'consumer -d');
		assert.equal(commandOf(['consumer'], {...off, defferedExec: true, master: true}), 'consumer -d -m');
		assert.equal(commandOf(['consumer'], {...off, master: true}), 'consumer -d -m');
		assert.equal(commandOf(['deferred', 'retry', '12'], off), 'deferred retry');
		assert.equal(commandOf(['deferred'], off), undefined);
		assert.equal(commandOf(['deferred', 'bogus'], off), undefined);
		assert.equal(commandOf(['lab'], off), 'lab');
		assert.equal(commandOf(['lab', 'cqrs'], off), 'lab cqrs');
		assert.equal(commandOf(['lab', 'list'], off), undefined);
		assert.equal(commandOf(['bogus'], off), undefined);
	});
});

/** Exit 2, one line on stderr that is `message`, the usage on stdout, no stack trace. */
async function assertOneLine(args: string[], message: string): Promise<void> {
	const result = await runCli([...args, '--redis-url', deadRedis]);
	assert.deepEqual([result.code, result.signal], [2, null], `exit of eda ${args.join(' ')}; stderr: ${result.stderr}`);
	assert.equal(result.stderr, `${message}\n`, `eda ${args.join(' ')}`);
	assert.match(result.stdout, /Usage/);
	assert.doesNotMatch(result.stdout + result.stderr, stackTrace);
}

describe('a flag the command does not take: exit 2, one line naming the command and the flag', {concurrency: 4}, () => {
	const cases: [string[], string][] = [
		[['api-server', '--topic', 'x'], 'eda api-server does not take --topic; eda (the dashboard) and eda consumer do'],
		[['api-server', '--no-color'], 'eda api-server does not take --no-color; eda (the dashboard) does'],
		[['consumer', '-t', 'x', '--port', '3001'], 'eda consumer does not take --port'],
		[['consumer', '-d', '-t', 'x'], 'eda consumer -d does not take -t; eda (the dashboard) and eda consumer do'],
		// Worker flags on a master: they would be silently ignored.
		[['consumer', '-d', '-m', '--concurrency', '4'], 'eda consumer -d -m does not take --concurrency; eda (the dashboard) and eda consumer -d do'],
		[['--group', 'g'], 'eda (the dashboard) does not take --group; eda consumer does'],
		[['deferred', 'list', '--dead'], 'eda deferred list does not take --dead; eda deferred retry and eda deferred purge do'],
		[['lab', 'cqrs', '--max-body', '1mb'], 'eda lab cqrs does not take --max-body; eda (the dashboard) and eda api-server do'],
		// Four labs take --rate: more than three owners are not listed.
		[['lab', 'deferred', '--rate', '2'], 'eda lab deferred does not take --rate'],
		[['lab', 'deferred', '--broker', 'a=redis://x'], 'eda lab deferred does not take --broker; eda (the dashboard) and eda mesh do'],
		// Named without its value: a token typed to the wrong command is still a secret.
		[['consumer', '-t', 'x', '--token=s3cret-value'], 'eda consumer does not take --token'],
	];
	for (const [args, message] of cases) {
		test(`eda ${args.join(' ')}`, async () => {
			await assertOneLine(args, message);
		});
	}
});

describe('a bad value is worded the same for every command that takes the flag', {concurrency: 4}, () => {
	const cases: [string, string[][]][] = [
		['--port abc', [['--port', 'abc'], ['api-server', '--port', 'abc'], ['lab', 'orders', '--port', 'abc']]],
		['--port 0x10', [['--port', '0x10'], ['api-server', '--port', '0x10']]],
		['--max-body lots', [['--max-body', 'lots'], ['api-server', '--max-body', 'lots']]],
		['--retain 1.5', [['--retain', '1.5'], ['api-server', '--retain', '1.5']]],
		['--interval abc', [['--interval', 'abc'], ['consumer', '-d', '--interval', 'abc'], ['lab', 'deferred', '--interval', 'abc']]],
	];
	for (const [label, commands] of cases) {
		test(label, async () => {
			const results = await Promise.all(commands.map((args) => runCli([...args, '--redis-url', deadRedis])));
			for (const [i, result] of results.entries()) assert.equal(result.code, 2, `eda ${commands[i]?.join(' ')}: ${result.stderr}`);
			const words = results.map((result) => result.stderr);
			assert.match(words[0] ?? '', new RegExp(label.split(' ')[0] ?? ''));
			assert.deepEqual(words, words.map(() => words[0]), `the same line from ${commands.map((args) => `eda ${args.join(' ')}`).join(', ')}`);
		});
	}
});
