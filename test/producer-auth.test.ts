// The producer's token, in-process on a private Redis: every route the app
// (and every lab) has answers 401 without the right token and stores nothing,
// and answers as usual with it; eda's own clients (the dashboard's publish,
// the labs' traffic) send it.
import assert from 'node:assert/strict';
import http from 'node:http';
import net, {type AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import type express from 'express';
import type {ActorOutput} from '../source/actors/output.js';
import {DashboardRuntime} from '../source/dashboard/runtime/runtime.js';
import {DeferredStore} from '../source/deferred/store.js';
import type {CqrsLab} from '../source/labs/cqrs/lab.js';
import type {DeferredLab} from '../source/labs/deferred/lab.js';
import type {PortalLab} from '../source/labs/portal/lab.js';
import {labNames, type Lab} from '../source/labs/lab.js';
import {createLab} from '../source/labs/registry.js';
import {registerSchema} from '../source/portal/registry.js';
import {createProducerApp} from '../source/producer/app.js';
import {publicRoutes} from '../source/producer/auth.js';
import {startProducer} from '../source/producer/server.js';
import {keys} from '../source/redis/keys.js';
import {openRedisSession, type RedisSession} from '../source/redis/session.js';
import {request, type Reply} from './helpers/http.js';
import {startTestRedis, waitFor, type TestRedis} from './helpers/redis.js';

const token = 'sEcReT-token-0123456789abcdef';
const bearer = {authorization: `Bearer ${token}`};
/** Guesses that must all fail: none, same length one byte off, shorter, longer, other schemes. */
const badHeaders: Record<string, Record<string, string>> = {
	'no header': {},
	'a wrong token of the same length': {authorization: `Bearer ${token.slice(0, -1)}X`},
	'a shorter token': {authorization: 'Bearer short'},
	'a longer token (the right one and more)': {authorization: `Bearer ${token}x`},
	'an empty bearer': {authorization: 'Bearer '},
	'Basic auth': {authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}`},
	'the token without the scheme': {authorization: token},
};

const quiet: ActorOutput = {emit: () => {}};
let redis: TestRedis;
let session: RedisSession;
let app: express.Express;
let server: http.Server;
let url: string;
/** Every lab, mounted on the app (orders and cqrs started, so their routes answer 2xx). */
const labs: Lab[] = [];

before(async () => {
	redis = await startTestRedis();
	session = await openRedisSession({url: redis.url, say: () => {}});
	const client = session.connect('test:producer', {offlineQueue: false});
	app = createProducerApp({
		redis: client,
		maxBody: 1024 * 1024,
		retain: 1000,
		token,
		// The labs are made below (they need the URL): each request tries their routers in turn.
		extraRoutes: (a) => {
			a.use((req, res, next) => {
				const tryLab = (i: number): void => {
					const lab = labs[i];
					if (lab) lab.router(req, res, () => tryLab(i + 1));
					else next();
				};
				tryLab(0);
			});
		},
	});
	server = await new Promise((resolve) => {
		const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
	});
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	for (const name of labNames) labs.push(createLab(name, {session, output: quiet, producerUrl: url, auth: {token}, rate: 0}));
	for (const lab of labs) if (lab.name !== 'deferred') await lab.start();
});

after(async () => {
	for (const lab of labs) await lab.stop();
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
	await session.close();
	await redis.stop();
});

type Layer = {route?: {path: string; methods: Record<string, boolean>}};

/** The routes an express app or router declares, as "METHOD path". */
function routesOf(stack: Layer[]): string[] {
	return stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${layer.route?.path}`) : []));
}

function allRoutes(): string[] {
	const own = routesOf((app as unknown as {router: {stack: Layer[]}}).router.stack);
	const fromLabs = labs.flatMap((lab) => routesOf((lab.router as unknown as {stack: Layer[]}).stack));
	return [...own, ...fromLabs];
}

/** `reached`: the status that shows the route itself answered when it is not 2xx (the token let the call through). */
type Sample = {path: string | (() => Promise<string>); body?: string; reached?: number};

/**
 * A request each route answers 2xx to with the token. A route missing here
 * fails the first test: a new route gets a sample, and so its 401 checks.
 */
const samples: Record<string, Sample> = {
	'POST /topics/:topic': {path: '/topics/authTest', body: '{"n":1}'},
	'POST /topics/:topic/batch': {path: '/topics/authTest/batch', body: '[{"n":2},{"n":3}]'},
	'GET /': {path: '/'},
	'GET /healthz': {path: '/healthz'},
	'GET /topics': {path: '/topics'},
	'POST /deferred-exec': {path: '/deferred-exec?delay=1m', body: '{"n":4}'},
	'GET /deferred/:id': {path: async () => `/deferred/${(await new DeferredStore(redis.client).enqueue(Buffer.from('{}'), 60_000, 'test')).id}`},
	'POST /orders': {path: '/orders', body: '{"amount":100}'},
	'GET /orders/:id': {path: async () => `/orders/${String((await call('POST', '/orders', '{}', bearer)).json()['orderId'])}`},
	'POST /commands/:name': {path: '/commands/placeOrder', body: '{"customer":"a","items":[{"sku":"x","qty":1,"price":100}]}'},
	'GET /queries/orders/:id': {path: async () => `/queries/orders/${String((await call('POST', '/commands/placeOrder', '{"customer":"b","items":[{"sku":"y","qty":1,"price":5}]}', bearer)).json()['orderId'])}`},
	'GET /queries/orders': {path: '/queries/orders'},
	'PUT /schemas/:topic': {path: '/schemas/authSchema', body: '{"type":"object"}'},
	'GET /schemas/:topic': {path: async () => ((await registerSchema(redis.client, 'authListed', {type: 'object'})).ok ? '/schemas/authListed' : 'not registered')},
	'GET /asyncapi.json': {path: '/asyncapi.json'},
	'GET /asyncapi.yaml': {path: '/asyncapi.yaml'},
	'GET /portal': {path: '/portal'},
	'POST /portal/step': {path: '/portal/step'},
	// The portal lab is not running here, so nothing is inferred: the route answers 409 saying so.
	'POST /portal/register': {path: '/portal/register', reached: 409},
	// The mesh lab's keys over HTTP: each toggles (cut, stop edge, its group), and the lab undoes them when it stops.
	'POST /mesh/cut': {path: '/mesh/cut'},
	'POST /mesh/edge': {path: '/mesh/edge'},
	'POST /mesh/shipping': {path: '/mesh/shipping'},
};

function call(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<Reply> {
	return request(url, path, {method, body, contentType: body === undefined ? undefined : 'application/json', headers});
}

async function samplePath(route: string): Promise<string> {
	const sample = samples[route];
	assert.ok(sample, `no sample request for ${route}`);
	return typeof sample.path === 'string' ? sample.path : sample.path();
}

/** Every key with its size, heartbeats aside: what a refused request must not change. */
async function redisPicture(): Promise<string> {
	// Heartbeats (the index and each actor's hash) beat on their own schedule.
	const heartbeats = keys.actors.slice(0, keys.actors.indexOf('}') + 1);
	// The portal lab's watcher keeps the catalog (and its lease) on its own schedule too.
	const portalWatcher = /:catalog(:|$)|^eda:portal:leader$/;
	const names = (await redis.client.keys('*')).filter((name) => !name.startsWith(heartbeats) && !portalWatcher.test(name)).sort();
	const sizes = await Promise.all(
		names.map(async (name) => {
			const type = await redis.client.type(name);
			const size = type === 'stream' ? await redis.client.xlen(name) : type === 'zset' ? await redis.client.zcard(name) : type === 'list' ? await redis.client.llen(name) : type === 'hash' ? await redis.client.hlen(name) : type === 'set' ? await redis.client.scard(name) : 0;
			return `${name}:${type}:${size}`;
		}),
	);
	return sizes.join('\n');
}

describe('every route needs the token (but GET / and GET /healthz)', () => {
	test('the app and the labs declare the routes this file has samples for', () => {
		const routes = allRoutes();
		assert.ok(routes.length >= 12, `routes found: ${routes.join(', ')}`);
		for (const route of routes) assert.ok(samples[route], `a new route, ${route}: add a sample request above so its 401s are checked`);
		for (const pub of publicRoutes) assert.ok(routes.includes(`${pub.method} ${pub.path}`), `${pub.method} ${pub.path} is a route`);
		// Governance routes are checked below like every other: registering a schema needs the token.
		assert.ok(routes.includes('PUT /schemas/:topic') && routes.includes('GET /schemas/:topic'));
	});

	test('without the right token: 401, one JSON line, the token never echoed, nothing stored', async () => {
		const protectedRoutes = allRoutes().filter((route) => !publicRoutes.some((pub) => `${pub.method} ${pub.path}` === route));
		assert.ok(protectedRoutes.length >= 10);
		// The route's own path with made-up ids (the samples that find something store it first).
		const paths = new Map<string, string>();
		for (const route of protectedRoutes) {
			const sample = samples[route];
			assert.ok(sample, route);
			paths.set(route, typeof sample.path === 'string' ? sample.path : (route.split(' ')[1] ?? '').replace(/:\w+/g, '12345'));
		}
		const before = await redisPicture();
		let refused = 0;
		for (const route of protectedRoutes) {
			const [method = ''] = route.split(' ');
			for (const [what, headers] of Object.entries(badHeaders)) {
				const reply = await call(method, paths.get(route) ?? '', samples[route]?.body, headers);
				assert.equal(reply.status, 401, `${route} with ${what}: ${reply.text}`);
				assert.doesNotMatch(reply.text.trimEnd(), /\n/, 'one line');
				assert.equal(typeof reply.json()['error'], 'string');
				assert.ok(!reply.text.includes(token), 'the token is not in the answer');
				assert.match(String(reply.headers['www-authenticate']), /^Bearer/);
				if (what === 'Basic auth') assert.match(String(reply.json()['error']), /not "Bearer <token>"/, 'a header of another scheme is named as such, not as "no token"');
				refused++;
			}
		}
		assert.equal(refused, protectedRoutes.length * Object.keys(badHeaders).length);
		assert.equal(await redisPicture(), before, 'no refused request changed Redis');
	});

	test('an unknown route is a 401 too, not a 404 that tells what exists', async () => {
		assert.equal((await call('GET', '/no-such-route', undefined, {})).status, 401);
		assert.equal((await call('GET', '/no-such-route', undefined, bearer)).status, 404);
	});

	test('with the right token every route answers 2xx (the scheme in any case)', async () => {
		for (const route of allRoutes()) {
			const [method = ''] = route.split(' ');
			const path = await samplePath(route);
			const headers = route === 'GET /topics' ? {authorization: `bearer ${token}`} : bearer;
			// The read side projects the command a moment later.
			const reply = await waitFor(async () => {
				const answer = await call(method, path, samples[route]?.body, headers);
				return (answer.status >= 200 && answer.status < 300) || answer.status === samples[route]?.reached ? answer : undefined;
			}, `${route} to answer 2xx`).catch(async () => call(method, path, samples[route]?.body, headers));
			assert.ok(reply.status < 300 || reply.status === samples[route]?.reached, `${route}: ${reply.status} ${reply.text}`);
		}
		assert.equal(await redis.client.xlen(keys.stream('authTest')), 3, 'one event and a batch of two stored');
	});

	test('GET / and GET /healthz answer without a token', async () => {
		for (const pub of publicRoutes) {
			const reply = await call(pub.method, pub.path, undefined, {});
			assert.equal(reply.status, 200, `${pub.method} ${pub.path}`);
		}
		assert.equal((await call('GET', '/HEALTHZ/', undefined, {})).status, 200, 'as express matches it');
		assert.equal((await call('POST', '/healthz', '{}', {})).status, 401, 'only GET is public');
	});
});

describe("a lab's usage with a token: its curl lines send it", () => {
	test('GET / (the first lab mounted) and GET /portal: every curl line carries the Authorization header, naming EDA_TOKEN, never the token', async () => {
		for (const path of ['/', '/portal']) {
			const reply = await call('GET', path, undefined, path === '/' ? {} : {authorization: `Bearer ${token}`});
			assert.equal(reply.status, 200, path);
			const curls = reply.text.split('\n').filter((line) => line.trim().startsWith('curl '));
			assert.ok(curls.length >= 2, `curl lines in GET ${path}:\n${reply.text}`);
			for (const line of curls) assert.match(line, /^ *curl (-X POST )?-H "Authorization: Bearer \$EDA_TOKEN" /, `GET ${path}`);
			assert.doesNotMatch(reply.text, new RegExp(token), `GET ${path} never shows the token`);
		}
	});
});

describe("eda's own clients send the token", () => {
	test("a lab's own producer with a token: the deferred lab posts its burst, the cqrs probe reads its query, the portal lab posts its events", async () => {
		const deferred = createLab('deferred', {session, output: quiet, port: 0, host: '127.0.0.1', auth: {token}, burst: 3}) as DeferredLab;
		try {
			// start() posts the first burst through POST /deferred-exec: a 401 would fail it.
			await deferred.start();
			const snapshot = await deferred.snapshot();
			assert.equal(snapshot.bursts[0]?.size, 3);
			assert.equal((await request(deferred.url ?? '', '/topics')).status, 401, 'its producer wants the token');
		} finally {
			await deferred.stop();
		}
		const cqrs = createLab('cqrs', {session, output: quiet, port: 0, host: '127.0.0.1', auth: {token}, rate: 0}) as CqrsLab;
		try {
			await cqrs.start();
			const probe = await cqrs.probe(20_000);
			assert.ok(probe.version >= 1);
		} finally {
			await cqrs.stop();
		}
		// The portal lab's producer traffic: each event it sends through POST /topics carries the token.
		const portal = createLab('portal', {session, output: quiet, port: 0, host: '127.0.0.1', auth: {token}, rate: 0}) as PortalLab;
		try {
			await portal.start();
			assert.equal(await portal.send(), 200);
			assert.equal((await request(portal.url ?? '', '/topics')).status, 401, 'its producer wants the token');
		} finally {
			await portal.stop();
		}
	});

	test("the dashboard's publish form and its labs, on a producer with a token", async () => {
		const runtime = new DashboardRuntime({
			session,
			output: quiet,
			host: '127.0.0.1',
			port: 0,
			auth: {token},
			workers: 0,
			worker: {intervalMs: 0, concurrency: 1, leaseMs: 30_000, maxAttempts: 5, backoffMs: 1000},
			topics: [],
			onQuit: () => undefined,
			labSettings: {burst: 2},
		});
		try {
			await runtime.start();
			assert.equal((await request(runtime.producer?.url ?? '', '/topics')).status, 401, 'the producer wants the token');
			const topic = await runtime.publish({topic: 'formTopic', deferred: false, delay: '', payload: '{"a":1}'});
			assert.deepEqual(topic, {ok: true, message: 'published to formTopic'});
			const deferred = await runtime.publish({topic: '', deferred: true, delay: '1m', payload: '{"a":2}'});
			assert.ok(deferred.ok, deferred.message);
			assert.equal(await redis.client.xlen(keys.stream('formTopic')), 1);
			// The deferred lab posts its first burst through the dashboard's producer as it starts.
			await runtime.labs.start('deferred');
			assert.equal(runtime.labs.lab.phase, 'running', JSON.stringify(runtime.labs.lab));
		} finally {
			await runtime.stop();
		}
	});
});

describe('Expect: 100-continue (curl sends it for bodies over 1 MiB)', () => {
	/** The status lines a raw client reads for one POST that waits for "go ahead" before its body. */
	async function statusLines(producerUrl: string, headers: Record<string, string>): Promise<string[]> {
		const {hostname, port} = new URL(producerUrl);
		const socket = net.connect(Number(port), hostname);
		const body = '{"a":1}';
		let text = '';
		socket.on('data', (chunk) => {
			text += chunk.toString('latin1');
			// The body goes only after "go ahead", as curl sends it.
			if (text.startsWith('HTTP/1.1 100') && !socket.destroyed) socket.write(body);
		});
		const head = Object.entries({...headers, 'content-type': 'application/json', 'content-length': String(body.length), expect: '100-continue'}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
		socket.write(`POST /topics/continue.t HTTP/1.1\r\nhost: x\r\n${head}\r\n`);
		try {
			return await waitFor(() => {
				const lines = text.split('\r\n').filter((line) => line.startsWith('HTTP/1.1 '));
				return lines.some((line) => !line.startsWith('HTTP/1.1 100')) ? lines : undefined;
			}, 'a final answer');
		} finally {
			socket.destroy();
		}
	}

	test('a caller without the token hears 401 at once, never "100 Continue"; with it, go ahead and 200', async () => {
		const producer = await startProducer({session, output: quiet, port: 0, auth: {token}});
		try {
			for (const headers of Object.values(badHeaders)) assert.deepEqual(await statusLines(producer.url, headers), ['HTTP/1.1 401 Unauthorized']);
			assert.deepEqual(await statusLines(producer.url, bearer), ['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK']);
		} finally {
			await producer.close();
		}
	});

	test('without a token every caller hears go ahead', async () => {
		const producer = await startProducer({session, output: quiet, port: 0});
		try {
			assert.deepEqual(await statusLines(producer.url, {}), ['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK']);
		} finally {
			await producer.close();
		}
	});
});
