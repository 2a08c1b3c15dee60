import {maskSecrets} from '../text/mask-url.js';

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
	return maskSecrets(error instanceof Error ? error.message || error.name : String(error));
}
