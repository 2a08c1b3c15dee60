import {createContext} from 'react';
import type {Controls} from '../controls.js';
import type {DashboardStore} from '../store/store.js';

export type DashboardContextValue = {
	store: DashboardStore;
	controls: Controls;
	colorOn: boolean;
};

// One value for the app's lifetime: it never changes, so it never re-renders
// anything by itself (state reaches components through useStore selectors).
// No default: a component drawn outside the provider has no store to draw, and
// useDashboard (hooks/use-dashboard.ts) says so instead of drawing an empty screen.
export const DashboardContext = createContext<DashboardContextValue | undefined>(undefined);
