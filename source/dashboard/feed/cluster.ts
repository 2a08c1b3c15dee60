// The status bar's cluster line, read every 2 s while on a Redis Cluster.
import {clusterLine} from '../../redis/cluster-status.js';
import type {RedisSession} from '../../redis/session.js';
import type {DashboardStore} from '../store/store.js';

/** Starts the reads; returns the stop. */
export function watchCluster(session: RedisSession, store: DashboardStore): () => void {
	let stopped = false;
	const read = async () => {
		try {
			const status = await session.clusterStatus();
			if (!stopped && status) store.status({cluster: clusterLine(status)});
		} catch {
			// No node answered this time: the Redis state on the bar says so.
			if (!stopped) store.status({cluster: 'cluster: no node answers'});
		}
	};
	void read();
	const timer = setInterval(() => void read(), 2000);
	return () => {
		stopped = true;
		clearInterval(timer);
	};
}
