#!/usr/bin/env node
// The entry: parse flags, pick the command, hand over. Nothing else lives here.
import meow from 'meow';
import {helpText} from './source/cli/help.js';
import {describeError, UserError} from './source/errors.js';
import {sanitize} from './source/text/sanitize.js';
import {maskSecrets} from './source/text/mask-url.js';
import {commandOf, flagSpec, foreignFlag, joinDashValues, unknownFlags, type Flags} from './source/cli/flags.js';
import {stopRequested} from './source/cli/shutdown.js';

// `--lease -1s` reaches meow as `--lease=-1s`, so errors name the value given.
const argv = joinDashValues(process.argv.slice(2));

const cli = meow(helpText, {
	importMeta: import.meta,
	argv,
	allowUnknownFlags: true,
	flags: flagSpec,
});

function usageError(message: string): never {
	process.stderr.write(`${sanitize(maskSecrets(message))}\n`);
	cli.showHelp(2);
	process.exit(2);
}

// meow answers --help and --version only when they are all there is; with a
// command (`eda api-server --help`) the command used to start instead.
const words = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
if (words.includes('--help')) cli.showHelp(0);
if (words.includes('--version')) cli.showVersion();

const unknown = unknownFlags(argv);
// Named without their =value: a mistyped --token=... must not print the token.
if (unknown.length > 0) usageError(`Unknown flag${unknown.length > 1 ? 's' : ''}: ${unknown.map((flag) => flag.split('=')[0]).join(', ')}`);

const [command, ...args] = cli.input;
const flags = cli.flags as Flags;

// Each command takes only its own flags (source/cli/flags.ts commandFlags).
const row = commandOf(cli.input, flags);
const foreign = row === undefined ? undefined : foreignFlag(row, argv);
if (foreign) usageError(foreign);

async function dispatch(): Promise<number> {
	// `consumer -d` and `consumer -d -m` are commands of their own that share a word.
	switch (command === 'consumer' ? row : (command ?? '')) {
		case '':
			return (await import('./source/commands/dashboard.js')).run(flags);
		case 'api-server':
			return (await import('./source/commands/api-server.js')).run(flags);
		case 'consumer':
			return (await import('./source/commands/consumer.js')).run(flags);
		case 'consumer -d':
			return (await import('./source/commands/deferred-consumer.js')).run(flags, 'worker');
		case 'consumer -d -m':
			return (await import('./source/commands/deferred-consumer.js')).run(flags, 'master');
		case 'deferred':
			return (await import('./source/commands/deferred.js')).run(args, flags);
		case 'lab':
			return (await import('./source/commands/lab.js')).run(args, flags);
		case 'portal':
			return (await import('./source/commands/portal.js')).run(args, flags);
		case 'mesh':
			return (await import('./source/commands/mesh.js')).run(args, flags);
		case 'events':
			return (await import('./source/commands/events.js')).run(args, flags);
		case 'trace':
			return (await import('./source/commands/trace.js')).run(args, flags);
		case 'replay':
			return (await import('./source/commands/replay.js')).run(args, flags);
		case 'groups':
			return (await import('./source/commands/groups.js')).run(args, flags);
		case 'migrate':
			return (await import('./source/commands/migrate.js')).run(args, flags);
		default:
			return usageError(`Unknown command: ${command}`);
	}
}

// A reader that went away (`eda consumer -t x | head`) is a normal end, not an
// error: a long-running command stops as on SIGTERM (its actors hand back what
// they hold and remove their heartbeats), anything else just exits.
let readerGone = false;
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		// Already stopping (Ctrl-C reached the whole pipeline): let that stop finish.
		if (error.code !== 'EPIPE' || readerGone || stopRequested()) return;
		readerGone = true;
		if (process.listenerCount('SIGTERM') === 0) process.exit(0);
		setTimeout(() => process.exit(0), 10_000).unref();
		process.kill(process.pid, 'SIGTERM');
	});
}

// No stack traces, ever: every failure becomes one line and an exit code.
process.on('uncaughtException', (error) => {
	process.stderr.write(`eda: ${sanitize(describeError(error))}\n`);
	process.exit(1);
});
process.on('unhandledRejection', (error) => {
	process.stderr.write(`eda: ${sanitize(describeError(error))}\n`);
	process.exit(1);
});

dispatch().then(
	(code) => process.exit(code),
	(error: unknown) => {
		if (error instanceof UserError && error.exitCode === 2) usageError(error.message);
		process.stderr.write(`eda: ${sanitize(describeError(error))}\n`);
		process.exit(error instanceof UserError ? error.exitCode : 1);
	},
);
