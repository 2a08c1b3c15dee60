// The half of the dashboard the first frame does not wait for: ioredis, the
// producer (express), the deferred actors, the feeds. Imported once the
// screen is up, so loading them never delays the first frame.
export async function loadBackend() {
	const [connect, session, runtime, refresher, live, catalog, catalogSource, browser, cluster, mesh] = await Promise.all([
		import('../../redis/connect.js'),
		import('../../redis/session.js'),
		import('./runtime.js'),
		import('../feed/refresher.js'),
		import('../feed/live-topics.js'),
		import('../feed/catalog.js'),
		import('../feed/catalog-source.js'),
		import('../feed/browser.js'),
		import('../feed/cluster.js'),
		import('../feed/mesh.js'),
	]);
	return {
		displayUrl: connect.displayUrl,
		openRedisSession: session.openRedisSession,
		resolveRedisUrl: session.resolveRedisUrl,
		DashboardRuntime: runtime.DashboardRuntime,
		startRefresher: refresher.startRefresher,
		EventBrowser: browser.EventBrowser,
		watchTopics: live.watchTopics,
		watchCluster: cluster.watchCluster,
		startCatalogFeed: (redisSession: import('../../redis/session.js').RedisSession, store: import('../store/store.js').DashboardStore) =>
			catalog.startCatalogFeed(redisSession, store, catalogSource.portalSource),
		startMeshFeed: mesh.startMeshFeed,
	};
}
