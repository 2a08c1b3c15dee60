// Errors as the user sees them, for every layer: a UserError is a message meant
// for the user (cli.tsx prints it and exits), describeError makes any error one line.
import {maskSecrets} from './text/mask-url.js';

/** An error meant for the user: printed as one line, then the process exits with `exitCode`. */
export class UserError extends Error {
	constructor(
		message: string,
		readonly exitCode = 1,
	) {
		super(message);
		this.name = 'UserError';
	}
}

/** One line for any error, never a stack trace, and never a password from a URL in it. */
export function describeError(error: unknown): string {
	if (!(error instanceof Error)) return maskSecrets(String(error));
	const message = error.message || error.name;
	// ioredis's Cluster says only "Failed to refresh slots cache." when every
	// node refused; why (WRONGPASS, NOAUTH, a refused connection) is the last node's error.
	const cause = (error as {lastNodeError?: unknown}).lastNodeError;
	if (cause instanceof Error && cause.message) return maskSecrets(`${message.replace(/\.+$/, '')}: ${cause.message}`);
	return maskSecrets(message);
}
