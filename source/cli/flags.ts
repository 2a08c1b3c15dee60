// Every flag of every command, for meow; `commandFlags` below says which command takes which.
export const flagSpec = {
	redisUrl: {type: 'string'},
	// --redis-url's comma-separated seeds are the nodes of a Redis Cluster
	cluster: {type: 'boolean'},
	json: {type: 'boolean', default: false},
	// api-server and dashboard
	port: {type: 'string'},
	host: {type: 'string'},
	maxBody: {type: 'string'},
	retain: {type: 'string'},
	// api-server, dashboard and labs: who may call the producer (producer/auth.ts)
	token: {type: 'string'},
	tokenFile: {type: 'string'},
	insecure: {type: 'boolean', default: false},
	// producer: replicas (WAIT) that must hold an event before 200
	waitReplicas: {type: 'string'},
	// consumer
	topic: {type: 'string', shortFlag: 't', isMultiple: true},
	group: {type: 'string', shortFlag: 'g'},
	name: {type: 'string'},
	fromStart: {type: 'boolean', default: false},
	claimIdle: {type: 'string'},
	defferedExec: {type: 'boolean', shortFlag: 'd', default: false},
	// The article's tool spells it --deffered-exec; the correct spelling works too.
	deferredExec: {type: 'boolean', default: false},
	master: {type: 'boolean', shortFlag: 'm', default: false},
	interval: {type: 'string'},
	concurrency: {type: 'string'},
	lease: {type: 'string'},
	maxAttempts: {type: 'string'},
	backoff: {type: 'string'},
	workTime: {type: 'string'},
	failRate: {type: 'string'},
	// deferred
	dead: {type: 'boolean', default: false},
	// migrate
	apply: {type: 'boolean', default: false},
	// deferred workers, masters and `eda deferred`: a named queue (eda:{<name>}:queue)
	queue: {type: 'string'},
	// dashboard
	workers: {type: 'string'},
	maxFps: {type: 'string'},
	color: {type: 'boolean', default: true},
	plain: {type: 'boolean', default: false},
	// mesh (and the dashboard's Mesh view: --mesh, or the mesh's topology)
	mesh: {type: 'boolean', default: false},
	broker: {type: 'string', isMultiple: true},
	link: {type: 'string', isMultiple: true},
	config: {type: 'string'},
	maxBacklog: {type: 'string'},
	hopLimit: {type: 'string'},
	// labs
	rate: {type: 'string'},
	projectionDelay: {type: 'string'},
	replicas: {type: 'string'},
	burst: {type: 'string'},
	// portal register|check
	compat: {type: 'string'},
	mode: {type: 'string'},
	checkRetained: {type: 'string'},
	// portal export
	format: {type: 'string'},
	out: {type: 'string'},
	// events, replay
	limit: {type: 'string'},
	since: {type: 'string'},
	grep: {type: 'string'},
	where: {type: 'string'},
	to: {type: 'string'},
	// api-server: --no-portal runs no portal watcher in it
	portal: {type: 'boolean', default: true},
} as const;

export type Flags = {
	redisUrl?: string;
	apply?: boolean;
	queue?: string;
	waitReplicas?: string;
	/** --cluster; undefined: REDIS_CLUSTER decides. */
	cluster?: boolean;
	json: boolean;
	port?: string;
	host?: string;
	maxBody?: string;
	retain?: string;
	token?: string;
	tokenFile?: string;
	insecure?: boolean;
	topic: string[];
	group?: string;
	name?: string;
	fromStart: boolean;
	claimIdle?: string;
	defferedExec: boolean;
	deferredExec: boolean;
	master: boolean;
	interval?: string;
	concurrency?: string;
	lease?: string;
	maxAttempts?: string;
	backoff?: string;
	workTime?: string;
	failRate?: string;
	dead: boolean;
	workers?: string;
	maxFps?: string;
	color: boolean;
	plain: boolean;
	/** The dashboard's Mesh view, from the figures on its Redis. */
	mesh?: boolean;
	broker?: string[];
	link?: string[];
	config?: string;
	maxBacklog?: string;
	hopLimit?: string;
	rate?: string;
	projectionDelay?: string;
	replicas?: string;
	burst?: string;
	compat?: string;
	mode?: string;
	checkRetained?: string;
	format?: string;
	out?: string;
	limit?: string;
	since?: string;
	grep?: string;
	where?: string;
	to?: string;
	/** false with --no-portal. */
	portal?: boolean;
};

type FlagName = keyof typeof flagSpec;

const producerFlags = ['port', 'host', 'token', 'tokenFile', 'insecure'] as const satisfies readonly FlagName[];
const workerFlags = ['interval', 'concurrency', 'lease', 'maxAttempts', 'backoff', 'workTime', 'failRate'] as const satisfies readonly FlagName[];

/**
 * Which flags each command takes, keyed by what the user types after `eda`
 * ('' is the dashboard); used to refuse the others and to check that
 * `eda --help` names them all (test/cli-flags.test.ts). A new command is one
 * row here (its new flags go in flagSpec above), a case in cli.tsx's dispatch
 * and a section in help.ts. A command with actions (`deferred list`) has a row
 * per action; `consumer -d` and `consumer -d -m` are rows of their own.
 * --help and --version go with every command.
 */
export const commandFlags: Record<string, readonly FlagName[]> = {
	'': ['redisUrl', 'cluster', 'json', ...producerFlags, 'maxBody', 'retain', 'workers', ...workerFlags, 'topic', 'maxFps', 'color', 'plain', 'mesh', 'broker', 'link', 'config'],
	'api-server': ['redisUrl', 'cluster', 'json', 'waitReplicas', ...producerFlags, 'maxBody', 'retain', 'portal'],
	consumer: ['redisUrl', 'cluster', 'json', 'topic', 'group', 'name', 'fromStart', 'claimIdle'],
	'consumer -d': ['redisUrl', 'cluster', 'json', 'defferedExec', 'deferredExec', 'queue', ...workerFlags],
	'consumer -d -m': ['redisUrl', 'cluster', 'json', 'defferedExec', 'deferredExec', 'master', 'queue'],
	'deferred list': ['redisUrl', 'cluster', 'json', 'queue'],
	'deferred retry': ['redisUrl', 'cluster', 'json', 'dead', 'queue'],
	'deferred purge': ['redisUrl', 'cluster', 'json', 'dead', 'queue'],
	'portal register': ['redisUrl', 'cluster', 'json', 'compat', 'mode', 'checkRetained'],
	'portal check': ['redisUrl', 'cluster', 'json', 'compat', 'mode', 'checkRetained'],
	'portal scan': ['redisUrl', 'cluster', 'json'],
	'portal watch': ['redisUrl', 'cluster', 'json'],
	'portal audit': ['redisUrl', 'cluster', 'json'],
	'portal export': ['redisUrl', 'cluster', 'json', 'format', 'out'],
	'portal import': ['redisUrl', 'cluster', 'json', 'compat', 'mode'],
	mesh: ['json', 'broker', 'link', 'config', 'maxBacklog', 'retain', 'hopLimit', 'claimIdle'],
	'mesh status': ['redisUrl', 'cluster', 'json'],
	migrate: ['redisUrl', 'cluster', 'json', 'apply'],
		events: ['redisUrl', 'cluster', 'json', 'limit', 'since', 'grep', 'where'],
	trace: ['redisUrl', 'cluster', 'json'],
	replay: ['redisUrl', 'cluster', 'json', 'to'],
	groups: ['redisUrl', 'cluster', 'json'],
	lab: [],
	'lab orders': ['redisUrl', 'cluster', 'json', ...producerFlags, 'rate', 'failRate'],
	'lab cqrs': ['redisUrl', 'cluster', 'json', ...producerFlags, 'rate', 'projectionDelay', 'replicas'],
	'lab deferred': ['redisUrl', 'cluster', 'json', ...producerFlags, 'interval', 'workers', 'burst'],
	'lab portal': ['redisUrl', 'cluster', 'json', ...producerFlags, 'rate'],
	'lab mesh': ['redisUrl', 'json', ...producerFlags, 'rate'],
};

/**
 * The row of `commandFlags` for what was typed: `input` is the words (command,
 * action), `flags` the parsed flags (-d and -m pick a consumer's row). Undefined
 * for a command or action eda does not know: the command's own error says so.
 */
export function commandOf(input: readonly string[], flags: Pick<Flags, 'defferedExec' | 'deferredExec' | 'master'>): string | undefined {
	const [command = '', action] = input;
	if (command === 'consumer' && flags.master) return 'consumer -d -m';
	if (command === 'consumer' && (flags.defferedExec || flags.deferredExec)) return 'consumer -d';
	const rows = Object.keys(commandFlags);
	if (action !== undefined && rows.includes(`${command} ${action}`)) return `${command} ${action}`;
	// A command with actions takes no flags of its own beyond its row (`eda lab` lists the labs).
	if (action !== undefined && rows.some((row) => row.startsWith(`${command} `))) return undefined;
	return rows.includes(command) ? command : undefined;
}

/** How a row is named to the user. */
export const commandName = (row: string) => (row === '' ? 'eda (the dashboard)' : `eda ${row}`);

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag a word of argv names (`--max-body=2mb`, `-t`, `--no-color`), as flagSpec spells it. */
const flagNames = new Map<string, FlagName>();
for (const [name, spec] of Object.entries(flagSpec) as [FlagName, (typeof flagSpec)[FlagName]][]) {
	flagNames.set(kebab(name), name);
	if ('shortFlag' in spec) flagNames.set(spec.shortFlag, name);
}
flagNames.set('no-color', 'color');
flagNames.set('no-portal', 'portal');

/** The flags typed in argv, each with the word that named it (its =value dropped: it may be a token). */
function typedFlags(argv: readonly string[]): {typed: string; name: FlagName}[] {
	const found: {typed: string; name: FlagName}[] = [];
	for (const arg of argv) {
		if (arg === '--') break;
		if (!arg.startsWith('-') || /^-\d/.test(arg)) continue;
		const word = arg.split('=')[0] ?? '';
		const names = word.startsWith('--') ? [word.slice(2)] : [...word.slice(1)];
		for (const name of names) {
			const flag = flagNames.get(name);
			if (flag) found.push({typed: word.startsWith('--') ? word : `-${name}`, name: flag});
		}
	}
	return found;
}

const joinNames = (names: string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/**
 * The usage error for the first flag in argv that `row` does not take, naming
 * the command and (when they are few) the commands that do take it; undefined
 * when every flag belongs.
 */
export function foreignFlag(row: string, argv: readonly string[]): string | undefined {
	const takes = commandFlags[row] ?? [];
	const stray = typedFlags(argv).find(({name}) => !takes.includes(name));
	if (!stray) return undefined;
	const owners = Object.entries(commandFlags)
		.filter(([, flags]) => flags.includes(stray.name))
		.map(([other]) => commandName(other));
	const others = owners.length > 0 && owners.length <= 3 ? `; ${joinNames(owners)} ${owners.length === 1 ? 'does' : 'do'}` : '';
	return `${commandName(row)} does not take ${stray.typed}${others}`;
}

const known = new Set<string>(['help', 'version', 'no-color', 'no-portal']);
for (const [name, spec] of Object.entries(flagSpec)) {
	known.add(kebab(name));
	if ('shortFlag' in spec) known.add(spec.shortFlag);
}

/** The flags in argv that no command knows, as typed. */
export function unknownFlags(argv: string[]): string[] {
	const unknown: string[] = [];
	for (const arg of argv) {
		if (arg === '--') break;
		if (!arg.startsWith('-') || /^-\d/.test(arg)) continue;
		if (arg.startsWith('--')) {
			const name = arg.slice(2).split('=')[0] ?? '';
			if (!known.has(name)) unknown.push(arg);
		} else {
			for (const letter of arg.slice(1).split('=')[0] ?? '') if (!known.has(letter)) unknown.push(`-${letter}`);
		}
	}
	return unknown;
}

const stringFlags = new Set(Object.entries(flagSpec).filter(([, spec]) => spec.type === 'string').map(([name]) => kebab(name)));

/** Whether `arg` names flags eda knows (so it is not meant as a value). */
function isKnownFlag(arg: string): boolean {
	if (arg.startsWith('--')) return known.has(arg.slice(2).split('=')[0] ?? '');
	const letters = arg.slice(1).split('=')[0] ?? '';
	return letters !== '' && [...letters].every((letter) => known.has(letter));
}

/**
 * `--lease -1s` joined into `--lease=-1s`: the parser takes a word starting
 * with "-" for flags, so the value was lost and the error said `"" is not a
 * duration`. A word that is no flag eda knows, after a flag that takes a value,
 * is that value, and the error can name it.
 */
export function joinDashValues(argv: readonly string[]): string[] {
	const out: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] ?? '';
		const next = argv[i + 1];
		if (arg === '--') {
			out.push(...argv.slice(i));
			break;
		}
		if (arg.startsWith('--') && !arg.includes('=') && stringFlags.has(arg.slice(2)) && next !== undefined && next.startsWith('-') && next !== '--' && !isKnownFlag(next)) {
			out.push(`${arg}=${next}`);
			i++;
		} else out.push(arg);
	}
	return out;
}
