// The mesh's topology, from flags (`--broker east=redis://… --link east-west`)
// or a JSON file with the same content. Everything wrong with it is one
// UserError (exit 2) before anything connects, so nothing is half-started.
import {readFileSync} from 'node:fs';
import {UserError} from '../errors.js';
import {displayUrl} from '../redis/connect.js';
import {validateRedisUrl} from '../redis/session.js';
import {sanitize} from '../text/index.js';

export type Broker = {name: string; url: string};
export type Link = {from: string; to: string};
export type Topology = {brokers: Broker[]; links: Link[]};

/** One direction of a link: what a bridge carries. */
export type Direction = {from: string; to: string};

const brokerName = /^[A-Za-z0-9_]{1,64}$/;

const usage = (message: string) => new UserError(message, 2);

/** The Redis a URL points at, so two spellings of one server compare equal. */
function serverOf(url: string): string {
	const parsed = new URL(url);
	let host = parsed.hostname.toLowerCase();
	if (host === 'localhost' || host === '[::1]' || host === '::1') host = '127.0.0.1';
	const db = parsed.pathname.length > 1 ? parsed.pathname.slice(1) : (parsed.searchParams.get('db') ?? '0');
	return `${host}:${parsed.port || '6379'}/${Number(db)}`;
}

function parseBroker(spec: string): Broker {
	const at = spec.indexOf('=');
	if (at < 0) throw usage(`--broker "${sanitize(spec)}": expected name=redis://host:port`);
	const name = spec.slice(0, at);
	const url = spec.slice(at + 1);
	return {name, url};
}

function parseLink(spec: string): Link {
	const parts = spec.split('-');
	if (parts.length !== 2 || !parts[0] || !parts[1]) throw usage(`--link "${sanitize(spec)}": expected two broker names joined by -, such as east-west`);
	return {from: parts[0], to: parts[1]};
}

/** Checks names, URLs and links; throws the first problem as a usage error. */
export function checkTopology(topology: Topology): Topology {
	const {brokers, links} = topology;
	if (brokers.length < 2) throw usage('eda mesh needs at least two brokers (--broker name=redis://host:port)');
	if (links.length === 0) throw usage('eda mesh needs at least one link (--link a-b)');
	const names = new Set<string>();
	const servers = new Map<string, string>();
	for (const {name, url} of brokers) {
		if (!brokerName.test(name)) throw usage(`broker name "${sanitize(name)}": a broker name may hold only letters, digits and _`);
		if (names.has(name)) throw usage(`broker ${name} is given twice`);
		names.add(name);
		try {
			validateRedisUrl(url);
		} catch (error) {
			throw usage(`broker ${name}: ${(error as Error).message.replace(/^--redis-url: /, '')}`);
		}
		const server = serverOf(url);
		const other = servers.get(server);
		if (other) throw usage(`brokers ${other} and ${name} have one URL (${displayUrl(url)}); each broker is its own Redis`);
		servers.set(server, name);
	}
	const seen = new Set<string>();
	for (const {from, to} of links) {
		for (const end of [from, to]) if (!names.has(end)) throw usage(`link ${sanitize(from)}-${sanitize(to)}: unknown broker ${sanitize(end)} (brokers: ${[...names].join(', ')})`);
		if (from === to) throw usage(`link ${from}-${to}: a broker cannot link to itself`);
		const key = [from, to].sort().join('-');
		if (seen.has(key)) throw usage(`link ${from}-${to} is given twice (a link carries both directions)`);
		seen.add(key);
	}
	return topology;
}

/** The topology from --broker/--link or --config. */
export function topologyFromFlags(flags: {broker?: string[]; link?: string[]; config?: string}): Topology {
	const brokers = flags.broker ?? [];
	const links = flags.link ?? [];
	if (flags.config !== undefined) {
		if (brokers.length > 0 || links.length > 0) throw usage('--config holds the brokers and links; give it alone or use --broker and --link');
		return checkTopology(readConfig(flags.config));
	}
	return checkTopology({brokers: brokers.map(parseBroker), links: links.map(parseLink)});
}

/** mesh.json: {"brokers": {"east": "redis://…"}, "links": ["east-west"]}. */
function readConfig(file: string): Topology {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		throw usage(`--config ${sanitize(file)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw usage(`--config ${sanitize(file)}: not JSON; expected {"brokers": {"east": "redis://…"}, "links": ["east-west"]}`);
	}
	const value = parsed as {brokers?: unknown; links?: unknown};
	const brokers = value?.brokers;
	const links = value?.links;
	if (!brokers || typeof brokers !== 'object' || Array.isArray(brokers) || !Array.isArray(links)) {
		throw usage(`--config ${sanitize(file)}: expected {"brokers": {"east": "redis://…"}, "links": ["east-west"]}`);
	}
	return {
		brokers: Object.entries(brokers as Record<string, unknown>).map(([name, url]) => {
			if (typeof url !== 'string') throw usage(`--config ${sanitize(file)}: broker ${sanitize(name)} needs a URL string`);
			return {name, url};
		}),
		links: links.map((link) => {
			if (typeof link !== 'string') throw usage(`--config ${sanitize(file)}: each link is a string such as "east-west"`);
			return parseLink(link);
		}),
	};
}

/** Both directions of every link. */
export function directionsOf(topology: Topology): Direction[] {
	return topology.links.flatMap(({from, to}) => [
		{from, to},
		{from: to, to: from},
	]);
}

/** Each broker's neighbours. */
export function neighboursOf(topology: Topology, broker: string): string[] {
	return directionsOf(topology)
		.filter((d) => d.from === broker)
		.map((d) => d.to);
}
