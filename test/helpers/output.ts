// The one in-memory ActorOutput for tests: what an actor said, kept for assertions.
import type {ActorOutput} from '../../source/actors/output.js';

export type MemoryOutput = ActorOutput & {
	/** Every text line emitted so far, in order. */
	lines: string[];
	/** Every structured record emitted so far, in order. */
	records: Record<string, unknown>[];
};

export function memoryOutput(): MemoryOutput {
	const lines: string[] = [];
	const records: Record<string, unknown>[] = [];
	return {
		lines,
		records,
		emit(_actor, newLines, record) {
			lines.push(...newLines);
			records.push(record);
		},
	};
}
