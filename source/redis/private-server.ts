import {spawn, type ChildProcess} from 'node:child_process';
import {accessSync, constants, mkdtempSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type PrivateRedis = {
	url: string;
	port: number;
	process: ChildProcess;
	stop(): Promise<void>;
};

export type PrivateRedisOptions = {
	port?: number;
	/** Keep an append-only file (for crash tests); off by default: nothing on disk. */
	appendOnly?: boolean;
	/** Data folder, kept across restarts when given. */
	dir?: string;
	/** Cluster mode (its nodes.conf in the data folder); the caller assigns the slots. */
	cluster?: boolean;
	/** More redis-server arguments (a cluster's node timeout, say). */
	extraArgs?: string[];
};

/** True when an executable of that name is on the PATH. */
export function onPath(command: string): boolean {
	return (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => {
		if (dir === '') return false;
		try {
			accessSync(path.join(dir, command), constants.X_OK);
			return true;
		} catch {
			return false;
		}
	});
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** True when something accepts TCP connections on the port. */
export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({port, host});
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/**
 * Starts `redis-server` on loopback. No RDB snapshots; an append-only file only
 * when asked for. Resolves once it accepts connections.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
	const port = options.port ?? (await freePort());
	const ownDir = options.dir === undefined;
	const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'eda-redis-'));
	const args = [
		'--port', String(port),
		'--bind', '127.0.0.1',
		'--save', '',
		'--appendonly', options.appendOnly ? 'yes' : 'no',
		'--appendfsync', 'always',
		'--dir', dir,
		'--protected-mode', 'yes',
		'--loglevel', 'warning',
		...(options.cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] : []),
		...(options.extraArgs ?? []),
	];
	const child = spawn('redis-server', args, {stdio: ['ignore', 'ignore', 'pipe']});
	let exited = false;
	// However this process ends (a crash, EPIPE, process.exit), the server goes with it.
	const killOnExit = () => {
		if (!exited) child.kill('SIGKILL');
		if (ownDir) rmSync(dir, {recursive: true, force: true});
	};
	process.on('exit', killOnExit);
	child.on('exit', () => {
		exited = true;
		process.off('exit', killOnExit);
	});
	const started = Date.now();
	while (!(await portAnswers(port))) {
		if (exited) throw new Error(`redis-server exited at start (port ${port})`);
		if (Date.now() - started > 10_000) {
			child.kill('SIGKILL');
			throw new Error(`redis-server did not start on port ${port}`);
		}
		await new Promise((r) => setTimeout(r, 20));
	}
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		process: child,
		async stop() {
			if (!exited) {
				const gone = new Promise((r) => child.once('exit', r));
				child.kill('SIGTERM');
				await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
				if (!exited) child.kill('SIGKILL');
			}
			if (ownDir) rmSync(dir, {recursive: true, force: true});
		},
	};
}
