// The baseline for the ingest bench: the least an express 5 producer can do.
// express.json() parses the body, one PUBLISH on the topic's channel, 200.
// Same ioredis options as eda's producer (auto-pipelining on, no offline
// queue), so the comparison is about the request path, not client settings.
// Run: node --import tsx bench/lib/bare-app.ts --port 3001 --redis-url redis://127.0.0.1:6379
import express from 'express';
import {Redis} from 'ioredis';
import {parseArgs} from 'node:util';

const {values} = parseArgs({options: {port: {type: 'string'}, 'redis-url': {type: 'string'}}});
const port = Number(values.port ?? 3001);
const redis = new Redis(values['redis-url'] ?? 'redis://127.0.0.1:6379', {
	enableAutoPipelining: true,
	enableOfflineQueue: false,
	maxRetriesPerRequest: 0,
});
redis.on('error', () => {});

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(express.json({limit: '1mb'}));
app.get('/healthz', (_req, res) => {
	res.json({status: 'ok'});
});
app.post('/topics/:topic', async (req, res) => {
	try {
		await redis.publish(String(req.params['topic']), JSON.stringify(req.body));
		res.json({message: 'message published'});
	} catch {
		res.status(503).json({error: 'Redis is unavailable'});
	}
});

const server = app.listen(port, '127.0.0.1', () => {
	process.stdout.write(`bare app listening on http://127.0.0.1:${port}\n`);
});
server.keepAliveTimeout = 5000;
const stop = () => {
	server.close();
	server.closeAllConnections();
	redis.disconnect();
	process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
