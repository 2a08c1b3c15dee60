// Every flag of every command, for meow; commands validate the ones they use.
export const flagSpec = {
	redisUrl: {type: 'string'},
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
	// dashboard
	workers: {type: 'string'},
	maxFps: {type: 'string'},
	color: {type: 'boolean', default: true},
	plain: {type: 'boolean', default: false},
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
	// api-server: --no-portal runs no portal watcher in it
	portal: {type: 'boolean', default: true},
} as const;

export type Flags = {
	redisUrl?: string;
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
	rate?: string;
	projectionDelay?: string;
	replicas?: string;
	burst?: string;
	compat?: string;
	mode?: string;
	checkRetained?: string;
	format?: string;
	out?: string;
	/** false with --no-portal. */
	portal?: boolean;
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

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
