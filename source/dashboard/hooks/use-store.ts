import {useCallback, useRef, useSyncExternalStore} from 'react';
import useDashboard from './use-dashboard.js';
import type {DashboardState} from '../store/types.js';

/**
 * The slice of the store a component draws. It re-renders only when the
 * selected value changes (Object.is, or shallow for arrays and plain objects),
 * not on every store notification.
 */
export default function useStore<T>(select: (state: DashboardState) => T): T {
	const {store} = useDashboard();
	const last = useRef<{value: T} | undefined>(undefined);
	const getSnapshot = useCallback(() => {
		const next = select(store.getState());
		if (last.current && shallowEqual(last.current.value, next)) return last.current.value;
		last.current = {value: next};
		return next;
	}, [store, select]);
	return useSyncExternalStore(store.subscribe, getSnapshot);
}

export function shallowEqual(a: unknown, b: unknown): boolean {
	if (Object.is(a, b)) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	const ka = Object.keys(a);
	const kb = Object.keys(b);
	if (ka.length !== kb.length) return false;
	for (const key of ka) if (!Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
	return true;
}
