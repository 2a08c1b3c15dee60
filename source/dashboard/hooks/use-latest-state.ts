import {useRef, useState} from 'react';

/**
 * State whose latest value key handlers can read at once. Ink re-attaches a
 * useInput handler only after the render's effects run, so keys arriving
 * together would otherwise see the value from before the previous key.
 */
export default function useLatestState<T>(initial: () => T): [T, (next: T | ((previous: T) => T)) => void, {readonly current: T}] {
	const [value, setValue] = useState(initial);
	const ref = useRef(value);
	const set = (next: T | ((previous: T) => T)) => {
		ref.current = typeof next === 'function' ? (next as (previous: T) => T)(ref.current) : next;
		setValue(ref.current);
	};
	return [value, set, ref];
}
