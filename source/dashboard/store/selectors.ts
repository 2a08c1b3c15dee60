import type {LocalActor} from './types.js';

/** The actors `p` can pause, in the order the Deferred pane lists them; its selection indexes this list. */
export function pausable(actors: LocalActor[]): LocalActor[] {
	return actors.filter((actor) => actor.kind === 'master' || actor.kind === 'worker');
}
