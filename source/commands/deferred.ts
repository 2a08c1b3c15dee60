import type {Flags} from '../cli/flags.js';
import {UserError} from '../cli/user-error.js';

// Placeholder until deferred execution lands (issue: deferred execution).
export async function run(_args: string[], _flags: Flags): Promise<number> {
	throw new UserError('eda deferred is not available yet', 1);
}
