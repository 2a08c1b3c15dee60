// PUT /schemas/:topic registers a declared schema (body: the JSON Schema,
// ?compat=backward|forward|full|none&mode=enforce|warn), GET /schemas/:topic
// lists a topic's versions and how many events warn mode stored though they
// failed. They change governance, so they sit behind the app-wide token check
// like every route but GET / and GET /healthz.
import {isUtf8} from 'node:buffer';
import type {IRouter, Request, Response} from 'express';
import type {Break, CompatMode} from '../portal/compat.js';
import {flaggedCount} from '../portal/enforce.js';
import {checkSchemaText} from '../portal/limits.js';
import {compatModes, declaredVersions, enforceModes, registerSchema, type Declared, type EnforceMode} from '../portal/registry.js';
import {topicError} from '../topics/names.js';
import {describeError} from '../errors.js';
import {redisUnavailableForRead, type ProducerDeps} from './http.js';

/** ?compat= and ?mode=, read from the URL itself (as topicPageQuery does), or why they are wrong. */
export function schemaQuery(originalUrl: string): {compat?: CompatMode; mode?: EnforceMode} | {error: string} {
	const at = originalUrl.indexOf('?');
	const query = new URLSearchParams(at === -1 ? '' : originalUrl.slice(at + 1));
	const compat = query.get('compat') ?? undefined;
	const mode = query.get('mode') ?? undefined;
	if (compat !== undefined && !compatModes.includes(compat as CompatMode)) return {error: `compat "${compat.slice(0, 40)}" is not one of ${compatModes.join(', ')}`};
	if (mode !== undefined && !enforceModes.includes(mode as EnforceMode)) return {error: `mode "${mode.slice(0, 40)}" is not one of ${enforceModes.join(', ')}`};
	return {compat: compat as CompatMode | undefined, mode: mode as EnforceMode | undefined};
}

/** A version as answered: everything but the schema's size is small. */
const versionView = (d: Declared) => ({topic: d.topic, version: d.version, compat: d.compat, mode: d.mode, registeredAt: d.registeredAt, schema: d.schema});

/** A break as answered and printed: where, what, which direction, why. */
export const breakView = (b: Break) => ({path: b.path, kind: b.kind, direction: b.direction, why: b.why, ...(b.openContentTrap ? {openContentTrap: true} : {}), text: b.text});

export function mountSchemaRoutes(app: IRouter, deps: ProducerDeps): void {
	app.put('/schemas/:topic', async (req: Request, res: Response) => {
		const topic = String(req.params['topic']);
		const badTopic = topicError(topic);
		if (badTopic) {
			res.status(400).json({error: badTopic});
			return;
		}
		const query = schemaQuery(req.originalUrl);
		if ('error' in query) {
			res.status(400).json({error: query.error});
			return;
		}
		const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
		if (!isUtf8(body)) {
			res.status(400).json({error: 'the body is not valid UTF-8; send the schema as JSON'});
			return;
		}
		// As Confluent's registry answers an invalid schema: 422.
		const checked = checkSchemaText(body.toString('utf8'));
		if ('error' in checked) {
			res.status(422).json({error: checked.error});
			return;
		}
		let result;
		try {
			result = await registerSchema(deps.redis, topic, checked.schema, query);
		} catch (error) {
			// A registration that timed out may still land: say how to find out.
			res.status(503).json({error: `Redis did not take the registration (GET /schemas/${topic} tells whether it was stored): ${describeError(error)}`});
			return;
		}
		if (result.ok) {
			res.status(result.unchanged ? 200 : 201).json({...versionView(result.declared), unchanged: result.unchanged});
		} else if (result.reason === 'invalid') {
			res.status(422).json({error: result.error});
		} else {
			const {previous, compat, breaks} = result;
			res.status(409).json({
				error: `the schema is not ${compat} compatible with version ${previous.version} of ${topic}: ${breaks.map((b) => `${b.path} ${b.kind} (breaks ${b.direction})`).join('; ')}; nothing was registered`,
				topic,
				compat,
				against: previous.version,
				breaks: breaks.map(breakView),
			});
		}
	});

	app.get('/schemas/:topic', async (req: Request, res: Response) => {
		const topic = String(req.params['topic']);
		const badTopic = topicError(topic);
		if (badTopic) {
			res.status(400).json({error: badTopic});
			return;
		}
		try {
			const versions = await declaredVersions(deps.redis, topic);
			if (versions.length === 0) res.status(404).json({error: `no schema is declared for ${topic}; PUT /schemas/${topic} registers one`});
			else res.json({topic, versions: versions.map(versionView), flagged: await flaggedCount(deps.redis, topic)});
		} catch (error) {
			redisUnavailableForRead(res, error);
		}
	});
}
