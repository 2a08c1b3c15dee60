import {useEffect, useState} from 'react';
import useDashboard from './use-dashboard.js';

/** Redis time (ms), re-read every `everyMs` so countdowns tick even when nothing else changes. */
export default function useNow(everyMs = 1000): number {
	const {store} = useDashboard();
	const [now, setNow] = useState(() => store.now());
	useEffect(() => {
		const timer = setInterval(() => setNow(store.now()), everyMs);
		return () => clearInterval(timer);
	}, [store, everyMs]);
	return now;
}
