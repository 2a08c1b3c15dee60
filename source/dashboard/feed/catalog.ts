// The Catalog view's feed: every two seconds, on its own connection and never
// overlapping, it reads the portal's catalog and the declared schemas and
// hands the store every row at once (store/catalog.ts joins them with who
// consumes each topic and flags them). It only reads: the portal actor
// (portal/watcher.ts) writes the catalog.
import type {Redis} from 'ioredis';
import {describeError} from '../../errors.js';
import type {RedisSession} from '../../redis/session.js';
import {catalogRows, type AuditFinding, type CatalogInput, type Consumers, type DeclaredInput} from '../store/catalog.js';
import type {DashboardStore} from '../store/store.js';
import {pollWhileShown} from './view-poll.js';

export const catalogRefreshMs = 2000;

/** Where the catalog comes from (feed/catalog-source.ts: the portal's modules). */
export type CatalogSource = (redis: Redis) => Promise<{entries: CatalogInput[]; declared: DeclaredInput[]; consumers: Map<string, Consumers>; findings: AuditFinding[]}>;

/** One read into the store; an error keeps the last rows and says why. */
export async function refreshCatalog(redis: Redis, store: DashboardStore, source: CatalogSource): Promise<void> {
	try {
		const {entries, declared, consumers, findings} = await source(redis);
		store.setCatalog({loaded: true, rows: catalogRows(entries, declared, consumers, findings)});
	} catch (error) {
		const previous = store.getState().catalog;
		store.setCatalog({...previous, loaded: true, error: `reading the catalog failed: ${describeError(error)}`});
	}
}

export async function startCatalogFeed(session: RedisSession, store: DashboardStore, source: CatalogSource, everyMs = catalogRefreshMs): Promise<{stop(): void}> {
	const redis = session.connect('eda:dashboard:catalog');
	const poll = await pollWhileShown(store, 'catalog', () => store.getState().catalog.loaded, () => refreshCatalog(redis, store, source), everyMs);
	return {
		stop() {
			poll.stop();
			redis.disconnect();
		},
	};
}
