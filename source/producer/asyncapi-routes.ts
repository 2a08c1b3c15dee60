// GET /asyncapi.json and GET /asyncapi.yaml: the AsyncAPI 3.0.0 document of
// what ran on this Redis (portal/asyncapi.ts), as `eda portal export` writes it.
import type express from 'express';
import type {Redis} from 'ioredis';
import {asJson, asYaml, buildAsyncApi, exportSource} from '../portal/asyncapi.js';
import {maskUrl} from '../text/mask-url.js';
import {redisUnavailableForRead, type ProducerDeps} from './http.js';

/** The Redis URL the producer's client uses, with no password in it (the document masks it anyway). */
function clientUrl(redis: Redis): string {
	const {host, port, db, tls, username, password} = redis.options;
	const user = username || password ? `${encodeURIComponent(username ?? '')}${password ? ':***' : ''}@` : '';
	return `${tls ? 'rediss' : 'redis'}://${user}${host ?? '127.0.0.1'}:${port ?? 6379}${db ? `/${db}` : ''}`;
}

export function mountAsyncApiRoutes(app: express.Express, deps: ProducerDeps): void {
	const serve = (format: 'json' | 'yaml') => async (_req: express.Request, res: express.Response) => {
		try {
			const doc = buildAsyncApi(await exportSource(deps.redis, deps.redisUrl === undefined ? clientUrl(deps.redis) : maskUrl(deps.redisUrl)));
			if (format === 'json') res.type('application/json').send(asJson(doc));
			else res.type('application/yaml').send(asYaml(doc));
		} catch (error) {
			redisUnavailableForRead(res, error);
		}
	};
	app.get('/asyncapi.json', serve('json'));
	app.get('/asyncapi.yaml', serve('yaml'));
}
