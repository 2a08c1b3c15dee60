// AsyncAPI out and in, and the audit, on real Redis and the real CLI: the
// export is parsed by @asyncapi/parser with zero errors, an exported document
// imported again declares its payload schemas (GET /schemas shows them), bad
// documents get one message naming where, and `eda portal audit` flags each
// kind of finding and exits 1.
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, it} from 'node:test';
import {Parser} from '@asyncapi/parser';
import YAML from 'yaml';
import {asJson, asYaml, buildAsyncApi, exportSource, readAsyncApi} from '../source/portal/asyncapi.js';
import {registerSchema} from '../source/portal/registry.js';
import {scanCatalog} from '../source/portal/watcher.js';
import {keys} from '../source/redis/keys.js';
import {spawnCli} from './helpers/process.js';
import {request, postEvent} from './helpers/http.js';
import {startProducerFixture, type ProducerFixture} from './helpers/producer.js';

async function parseErrors(text: string): Promise<string[]> {
	const {diagnostics} = await new Parser().parse(text);
	// Severity 0 is an error; warnings and hints (e.g. "3.1.0 exists") are not.
	return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('/')}: ${d.message}`);
}

async function run(args: string[], url: string): Promise<{code: number | null; out: string; err: string}> {
	const proc = spawnCli([...args, '--redis-url', url]);
	const exit = await proc.exited;
	return {code: exit.code, out: proc.stdout(), err: proc.stderr()};
}

describe('portal AsyncAPI export and import', () => {
	let fx: ProducerFixture;
	const dir = mkdtempSync(path.join(os.tmpdir(), 'eda-asyncapi-'));
	before(async () => {
		fx = await startProducerFixture();
		const base = fx.producer.url;
		for (let i = 0; i < 3; i++) await postEvent(base, 'orders.created', JSON.stringify({order: i, total: 2.5, email: 'a@b.co'}), 'application/json', {'ce-source': 'shop', 'ce-id': `o${i}`, 'ce-specversion': '1.0', 'ce-type': 'orders.created'});
		await postEvent(base, 'notes', 'plain text, not JSON', 'text/plain');
		await fx.redis.client.xgroup('CREATE', keys.stream('orders.created'), 'billing', '0');
		await fx.redis.client.xreadgroup('GROUP', 'billing', 'b1', 'COUNT', 1, 'STREAMS', keys.stream('orders.created'), '>');
		await scanCatalog(fx.redis.client, {holder: 'scan:test'});
		// Declared and never seen, with a local reference inside the schema.
		const declaredOnly = {type: 'object', properties: {items: {type: 'array', items: {$ref: '#/$defs/item'}}}, $defs: {item: {type: 'object', properties: {sku: {type: 'string'}}, required: ['sku']}}};
		assert.ok((await registerSchema(fx.redis.client, 'declared.only', declaredOnly)).ok);
	});
	after(async () => {
		await fx.stop();
	});

	it('exports a document @asyncapi/parser reads with zero errors, in YAML and JSON, with producers, groups and extensions', async () => {
		const doc = buildAsyncApi(await exportSource(fx.redis.client, fx.redis.url.replace('redis://', 'redis://:s3cret@')));
		assert.deepEqual(await parseErrors(asYaml(doc)), []);
		assert.deepEqual(await parseErrors(asJson(doc)), []);
		const text = asJson(doc);
		assert.ok(!text.includes('s3cret'), 'the password is masked');
		const channels = doc['channels'] as Record<string, Record<string, unknown>>;
		const orders = channels['orders_created'];
		assert.equal(orders?.['address'], 'orders.created');
		assert.equal(orders?.['x-eda-transport'], 'stream and pub/sub');
		assert.deepEqual((orders?.['x-eda-groups'] as {name: string}[]).map((g) => g.name), ['billing']);
		const message = Object.values(orders?.['messages'] as Record<string, Record<string, unknown>>)[0];
		assert.deepEqual((message?.['payload'] as {required: string[]}).required, ['email', 'order', 'total']);
		assert.equal((message?.['examples'] as {payload: {order: number}}[])[0]?.payload.order, 2);
		const operations = Object.values(doc['operations'] as Record<string, Record<string, unknown>>);
		assert.ok(operations.some((op) => op['action'] === 'send' && op['x-eda-producer'] === 'shop' && op['x-eda-events'] === 3));
		assert.ok(operations.some((op) => op['action'] === 'receive' && op['x-eda-group'] === 'billing'));
		const declaredOnly = channels['declared_only']?.['messages'] as Record<string, {payload: {properties: {items: {items: {$ref: string}}}}}>;
		assert.equal(declaredOnly['declared_only']?.payload.properties.items.items.$ref, '#/channels/declared_only/messages/declared_only/payload/$defs/item', 'a local reference is rebased onto the payload');
		const notes = Object.values(channels['notes']?.['messages'] as Record<string, Record<string, unknown>>)[0];
		assert.equal(notes?.['contentType'], 'text/plain');
	});

	it('serves the document at GET /asyncapi.json and /asyncapi.yaml', async () => {
		const json = await request(fx.producer.url, '/asyncapi.json');
		assert.equal(json.status, 200);
		assert.deepEqual(await parseErrors(json.text), []);
		const yaml = await request(fx.producer.url, '/asyncapi.yaml');
		assert.equal(yaml.status, 200);
		assert.match(String(yaml.headers['content-type']), /yaml/);
		assert.equal((YAML.parse(yaml.text) as {asyncapi: string}).asyncapi, '3.0.0');
	});

	it('round trip: eda portal export, then import, declares each channel; GET /schemas shows them', async () => {
		const file = path.join(dir, 'out.yaml');
		const exported = await run(['portal', 'export', '--out', file], fx.redis.url);
		assert.equal(exported.code, 0, exported.err);
		assert.match(exported.out, /Wrote the AsyncAPI 3\.0\.0 document/);
		const imported = await run(['portal', 'import', file, '--json'], fx.redis.url);
		assert.equal(imported.code, 0, imported.err + imported.out);
		const records = imported.out.trim().split('\n').map((line) => JSON.parse(line) as {event: string; topic: string});
		assert.deepEqual(records.filter((r) => r.event === 'registered').map((r) => r.topic), ['orders.created']);
		// A text topic has nothing eda can validate: declaring it would refuse every event.
		assert.deepEqual(records.filter((r) => r.event === 'skipped').map((r) => r.topic), ['notes']);
		assert.equal((await request(fx.producer.url, '/schemas/notes')).status, 404);
		const schemas = await request(fx.producer.url, '/schemas/orders.created');
		assert.equal(schemas.status, 200);
		const [first] = schemas.json()['versions'] as {version: number; schema: {required: string[]}}[];
		assert.equal(first?.version, 1);
		assert.deepEqual(first?.schema.required, ['email', 'order', 'total']);
		// The declared schema now holds: an event without `total` is refused.
		assert.equal((await postEvent(fx.producer.url, 'orders.created', JSON.stringify({order: 9, email: 'a@b.co'}))).status, 422);
		// Importing the same document again changes nothing.
		const again = await run(['portal', 'import', file], fx.redis.url);
		assert.equal(again.code, 0);
		assert.match(again.out, /orders\.created: unchanged \(version 1\)/);
		// The declared schema with $defs came back as it was declared.
		assert.match(again.out, /declared\.only: unchanged \(version 1\)/);
	});

	it('refuses bad documents with one message naming where, and registers nothing', async () => {
		const cases: [string, string, RegExp][] = [
			['remote.yaml', YAML.stringify({asyncapi: '3.0.0', channels: {a: {address: 'remote.topic', messages: {m: {payload: {$ref: 'https://example.com/s.json'}}}}}}), /\/channels\/a\/messages\/m\/payload: the reference "https:\/\/example\.com\/s\.json" is not local/],
			['deep.json', JSON.stringify({asyncapi: '3.0.0', channels: {a: {address: 'deep.topic', messages: {m: {payload: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200))}}}}}), /nests deeper than 128 levels/],
			['notyaml.yaml', 'asyncapi: [unclosed', /not YAML or JSON/],
			['version.yaml', YAML.stringify({openapi: '3.0.0'}), /\/asyncapi: expected an AsyncAPI version/],
			['badtopic.yaml', YAML.stringify({asyncapi: '3.0.0', channels: {a: {address: 'has space', messages: {m: {payload: {type: 'object'}}}}}}), /\/channels\/a: "has space" is no eda topic/],
			['avro.yaml', YAML.stringify({asyncapi: '3.0.0', channels: {a: {address: 'avro.topic', messages: {m: {payload: {schemaFormat: 'application/vnd.apache.avro;version=1.9.0', schema: {type: 'record'}}}}}}}), /\/channels\/a\/messages\/m: the payload's schemaFormat .* is not JSON Schema/],
		];
		for (const [name, text, expected] of cases) {
			const file = path.join(dir, name);
			writeFileSync(file, text);
			const result = await run(['portal', 'import', file], fx.redis.url);
			assert.equal(result.code, 1, `${name}: ${result.err}`);
			const lines = result.err.trim().split('\n');
			assert.equal(lines.length, 1, `${name}: one line: ${result.err}`);
			assert.match(lines[0] ?? '', expected);
			assert.doesNotMatch(result.err, /\n\s+at /, 'no stack trace');
		}
		assert.equal(await fx.redis.client.exists(keys.portal.schemaVersions('remote.topic'), keys.portal.schemaVersions('avro.topic')), 0);
	});

	it('escapes the C1 controls and bidi overrides of network text, in YAML and JSON, and reads back the same', () => {
		const hostile = 'a\u009b2Jb\u202ec\u0085d';
		const doc = buildAsyncApi({
			redisUrl: 'redis://127.0.0.1:6379',
			entries: [{topic: 'evil', version: 1, schema: {type: 'object', properties: {[hostile]: {type: 'string'}}}, versions: [], producers: {[hostile]: 1}, firstSeen: 1, lastSeen: 2, rate: 0, sample: JSON.stringify({[hostile]: hostile}), count: 1, transport: 'stream'}],
			declared: new Map(),
			consumers: new Map(),
			retained: new Map(),
		});
		for (const [text, parse] of [[asYaml(doc), (t: string) => YAML.parse(t) as unknown], [asJson(doc), (t: string) => JSON.parse(t) as unknown]] as const) {
			assert.doesNotMatch(text, /[\u007f-\u009f\u202a-\u202e]/, 'no raw C1 control or bidi override');
			assert.deepEqual(parse(text), doc, 'the escapes read back as the same characters');
		}
	});

	it('reads 2.x documents and local references', () => {
		const doc = {
			asyncapi: '2.6.0',
			channels: {'user.signedup': {subscribe: {message: {$ref: '#/components/messages/Signup'}}}},
			components: {messages: {Signup: {payload: {$ref: '#/components/schemas/User'}}}, schemas: {User: {type: 'object', properties: {id: {type: 'string', example: 'u1'}}, 'x-internal': true}}},
		};
		assert.deepEqual(readAsyncApi(YAML.stringify(doc)), [{topic: 'user.signedup', schema: {type: 'object', properties: {id: {type: 'string'}}}, where: '/channels/user.signedup'}]);
	});
});

describe('eda portal audit', () => {
	let fx: ProducerFixture;
	before(async () => {
		fx = await startProducerFixture();
	});
	after(async () => {
		await fx.stop();
	});

	it('exits 0 with nothing flagged, then flags each kind of finding and exits 1', async () => {
		const clean = await run(['portal', 'audit'], fx.redis.url);
		assert.equal(clean.code, 0, clean.err);
		assert.match(clean.out, /nothing flagged/);

		const base = fx.producer.url;
		// Seen but not declared, with a consumer group on it.
		await postEvent(base, 'undeclared.topic', JSON.stringify({a: 1}));
		await fx.redis.client.xgroup('CREATE', keys.stream('undeclared.topic'), 'readers', '0');
		// Declared but silent.
		assert.ok((await registerSchema(fx.redis.client, 'silent.topic', {type: 'object'})).ok);
		// Declared in warn mode, and events that diverge from it.
		assert.ok((await registerSchema(fx.redis.client, 'drift.topic', {type: 'object', properties: {n: {type: 'integer'}, name: {type: 'string'}}, required: ['n', 'name']}, {mode: 'warn', compat: 'backward'})).ok);
		await postEvent(base, 'drift.topic', JSON.stringify({n: 'not a number'}));
		await scanCatalog(fx.redis.client, {holder: 'scan:test'});

		const flagged = await run(['portal', 'audit', '--json'], fx.redis.url);
		assert.equal(flagged.code, 1, flagged.err);
		const findings = flagged.out.trim().split('\n').map((line) => JSON.parse(line) as {kind: string; topic: string; text: string});
		const kinds = (topic: string) => findings.filter((f) => f.topic === topic).map((f) => f.kind).sort();
		assert.deepEqual(kinds('undeclared.topic'), ['group-without-schema', 'undeclared']);
		assert.deepEqual(kinds('silent.topic'), ['silent']);
		assert.ok(kinds('drift.topic').includes('diverges'), JSON.stringify(findings));
		assert.match(findings.find((f) => f.topic === 'drift.topic')?.text ?? '', /1 of 1 recent events fail the declared schema/);

		const text = await run(['portal', 'audit'], fx.redis.url);
		assert.equal(text.code, 1);
		assert.match(text.out, /Audit: \d+ finding\(s\)/);
	});
});
