// The catalog feed's reads through the portal's own modules: the inferred
// catalog (portal/catalog.ts), who consumes each topic, the declared schemas,
// and Redis time for the silent flag.
import type {Redis} from 'ioredis';
import {readCatalog, readConsumers} from '../../portal/catalog.js';
import {declaredTopics, latestDeclared} from '../../portal/registry.js';
import type {CatalogSource} from './catalog.js';

export const portalSource: CatalogSource = async (redis: Redis) => {
	const [entries, names, [seconds, micros]] = await Promise.all([readCatalog(redis), declaredTopics(redis), redis.time()]);
	const declared = (await Promise.all(names.map((topic) => latestDeclared(redis, topic)))).filter((d) => d !== undefined);
	const topics = [...new Set([...entries.map((entry) => entry.topic), ...declared.map((d) => d.topic)])];
	const consumers = await readConsumers(redis, topics);
	return {entries, declared, consumers, now: Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)};
};
