// Files a user names on the command line (a schema, an AsyncAPI document, a
// token): read whole up to a size, and a file that cannot be read said in words.
import {readFileSync, statSync} from 'node:fs';
import {UserError} from '../errors.js';
import {sanitize} from '../text/index.js';

/** Why a file could not be read, in words (from the error's code). */
export function unreadable(error: unknown): string {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not allowed to read it' : code === 'EISDIR' ? 'it is a folder' : 'cannot read it';
}

/**
 * A file's text; one too large is refused before it is read (`tooLarge` words
 * that refusal, exit 1), one that cannot be read is a usage error (exit 2).
 */
export function readUserFile(file: string, maxBytes: number, tooLarge: (size: number) => string): string {
	try {
		const size = statSync(file).size;
		if (size > maxBytes) throw new UserError(`${sanitize(file)}: ${tooLarge(size)}`, 1);
		return readFileSync(file, 'utf8');
	} catch (error) {
		if (error instanceof UserError) throw error;
		throw new UserError(`${sanitize(file)}: ${unreadable(error)}`, 2);
	}
}
