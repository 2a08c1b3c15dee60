// Child processes a bench starts: kept in one registry so that every exit path
// (normal end, exception, SIGINT/SIGTERM, the runner's timeout) stops them.
import {spawn, type ChildProcess} from 'node:child_process';
import http from 'node:http';

export type Service = {
	name: string;
	child: ChildProcess;
	/** The last lines it wrote (stdout and stderr), for error messages. */
	tail(): string;
	exited(): boolean;
	/** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
	stop(graceMs?: number): Promise<void>;
};

const running = new Set<Service>();
let hooked = false;

function hookExit(): void {
	if (hooked) return;
	hooked = true;
	process.on('exit', () => {
		for (const service of running) if (!service.exited()) service.child.kill('SIGKILL');
	});
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			void stopAll().finally(() => process.exit(130));
		});
	}
}

export function spawnService(name: string, command: string, args: string[], options: {env?: NodeJS.ProcessEnv; cwd?: string} = {}): Service {
	hookExit();
	const child = spawn(command, args, {stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd});
	const lines: string[] = [];
	const keep = (chunk: Buffer) => {
		lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim() !== ''));
		if (lines.length > 40) lines.splice(0, lines.length - 40);
	};
	child.stdout?.on('data', keep);
	child.stderr?.on('data', keep);
	let gone = false;
	const exit = new Promise<void>((resolve) => {
		child.once('exit', (code, signal) => {
			gone = true;
			running.delete(service);
			if (code !== null && code !== 0 && !stopping) lines.push(`(${name} exited with code ${code})`);
			if (signal && !stopping) lines.push(`(${name} killed by ${signal})`);
			resolve();
		});
		child.once('error', (error) => {
			gone = true;
			running.delete(service);
			lines.push(`(${name} failed to start: ${error.message})`);
			resolve();
		});
	});
	let stopping = false;
	const service: Service = {
		name,
		child,
		tail: () => lines.slice(-12).join('\n'),
		exited: () => gone,
		async stop(graceMs = 5000) {
			if (gone) return;
			stopping = true;
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
			await exit;
			clearTimeout(timer);
		},
	};
	running.add(service);
	return service;
}

export async function stopAll(): Promise<void> {
	await Promise.all([...running].map((service) => service.stop()));
}

/** One HTTP request; resolves with the status and body, never rejects. */
export function httpRequest(url: string, options: {method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number} = {}): Promise<{status: number; body: string}> {
	return new Promise((resolve) => {
		const req = http.request(url, {method: options.method ?? 'GET', headers: options.headers, timeout: options.timeoutMs ?? 2000, agent: false}, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}));
			res.on('error', () => resolve({status: 0, body: ''}));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (error) => resolve({status: 0, body: error.message}));
		req.end(options.body);
	});
}

/** Waits until GET `url` answers 2xx; throws with the service's last lines otherwise. */
export async function waitHttp(service: Service, url: string, timeoutMs = 20_000): Promise<void> {
	const started = Date.now();
	for (;;) {
		if (service.exited()) throw new Error(`${service.name} exited before answering:\n${service.tail()}`);
		const {status} = await httpRequest(url, {timeoutMs: 1000});
		if (status >= 200 && status < 300) return;
		if (Date.now() - started > timeoutMs) throw new Error(`${service.name} did not answer ${url} within ${timeoutMs} ms:\n${service.tail()}`);
		await sleep(100);
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
