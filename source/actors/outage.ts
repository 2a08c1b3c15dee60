import type {RedisState} from '../redis/connect.js';
import type {ActorOutput} from './output.js';

/**
 * Tells the user once when an actor's connection to Redis is lost and once
 * when it is back; nothing for the first connect or for the actor's own stop.
 * `onChange` hears the same transitions (actors that show "Redis down" in their state).
 */
export function outageReporter(output: ActorOutput, actor: string, stopping: () => boolean, onChange?: (down: boolean) => void): (state: RedisState, detail?: string) => void {
	let wasUp = false;
	let lost = false;
	return (state, detail) => {
		if (stopping()) return;
		if (state === 'connected') {
			if (lost) {
				output.emit(actor, ['Redis connection back'], {event: 'redis-up'});
				onChange?.(false);
			}
			wasUp = true;
			lost = false;
		} else if (wasUp && !lost) {
			lost = true;
			output.emit(actor, [`Redis connection lost${detail ? ` (${detail})` : ''}; reconnecting`], {event: 'redis-down', error: detail ?? state});
			onChange?.(true);
		}
	};
}
