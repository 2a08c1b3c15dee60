// The catalog feed's reads through the portal's own modules: the inferred
// catalog (portal/catalog.ts), who consumes each topic, the declared schemas
// (portal/registry.ts) and the audit's findings (portal/audit.ts, the same
// `eda portal audit` prints).
import type {Redis} from 'ioredis';
import {auditCatalog} from '../../portal/audit.js';
import {readCatalog, readConsumers} from '../../portal/catalog.js';
import {declaredTopics, latestDeclared} from '../../portal/registry.js';
import type {CatalogSource} from './catalog.js';

export const portalSource: CatalogSource = async (redis: Redis) => {
	const [entries, names, findings] = await Promise.all([readCatalog(redis), declaredTopics(redis), auditCatalog(redis)]);
	const declared = (await Promise.all(names.map((topic) => latestDeclared(redis, topic)))).filter((d) => d !== undefined);
	const topics = [...new Set([...entries.map((entry) => entry.topic), ...declared.map((d) => d.topic)])];
	const consumers = await readConsumers(redis, topics);
	return {entries, declared, consumers, findings};
};
