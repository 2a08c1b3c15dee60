import type express from 'express';
import type {ProducerDeps} from './app.js';

// Placeholder until deferred execution lands: answer clearly instead of losing the event.
export function mountDeferredRoutes(app: express.Express, _deps: ProducerDeps): void {
	app.post('/deferred-exec', (_req, res) => {
		res.status(501).json({error: 'deferred execution is not implemented yet; nothing was stored'});
	});
}
