// The catalog feed's reads through the portal's own modules: the inferred
// catalog (portal/catalog.ts), who consumes each topic, the declared schemas,
// and Redis time for the silent flag.
import type {Redis} from 'ioredis';
import {readCatalog, readConsumers} from '../../portal/catalog.js';
import type {CatalogSource} from './catalog.js';

export const portalSource: CatalogSource = async (redis: Redis) => {
	const [entries, [seconds, micros]] = await Promise.all([readCatalog(redis), redis.time()]);
	const declared: Awaited<ReturnType<CatalogSource>>['declared'] = [];
	const topics = [...new Set([...entries.map((entry) => entry.topic), ...declared.map((d) => d.topic)])];
	const consumers = await readConsumers(redis, topics);
	return {entries, declared, consumers, now: Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)};
};
