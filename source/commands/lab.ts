import type {Flags} from '../cli/flags.js';
import {UserError} from '../cli/user-error.js';

// Placeholder until the concept labs land.
export async function run(_args: string[], _flags: Flags): Promise<number> {
	throw new UserError('eda lab is not available yet', 1);
}
