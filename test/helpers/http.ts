// Plain HTTP requests with full control of the body bytes and headers
// (fetch would add a Content-Type of its own to string bodies).
import http from 'node:http';

export type Reply = {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	/** The body parsed as JSON (throws when it is not). */
	json(): Record<string, unknown>;
};

export type RequestOptions = {
	method?: string;
	headers?: Record<string, string>;
	body?: string | Buffer;
	/** Send the body without a Content-Type header at all. */
	contentType?: string | null;
};

/** One request on a fresh connection; rejects only when the connection fails. */
export function request(baseUrl: string, pathname: string, options: RequestOptions = {}): Promise<Reply> {
	const url = new URL(pathname, baseUrl);
	const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
	const headers: Record<string, string> = {...options.headers};
	if (options.contentType !== undefined && options.contentType !== null) headers['content-type'] = options.contentType;
	if (body) headers['content-length'] = String(body.length);
	return new Promise((resolve, reject) => {
		const req = http.request(url, {method: options.method ?? (body ? 'POST' : 'GET'), headers, agent: false}, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					text,
					json: () => JSON.parse(text) as Record<string, unknown>,
				});
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** POST a JSON (or other) body to /topics/<topic>. */
export function postEvent(baseUrl: string, topic: string, body: string | Buffer, contentType: string | null = 'application/json', headers: Record<string, string> = {}): Promise<Reply> {
	return request(baseUrl, `/topics/${encodeURIComponent(topic)}`, {method: 'POST', body, contentType, headers});
}
