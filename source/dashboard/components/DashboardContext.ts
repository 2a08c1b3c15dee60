import {createContext} from 'react';
import type {Controls} from '../controls.js';
import {DashboardStore} from '../store/store.js';

export type DashboardContextValue = {
	store: DashboardStore;
	controls: Controls;
	colorOn: boolean;
};

const noop = async () => {};

// One value for the app's lifetime: it never changes, so it never re-renders
// anything by itself (state reaches components through useStore selectors).
export const DashboardContext = createContext<DashboardContextValue>({
	store: new DashboardStore(),
	controls: {publish: async () => ({ok: false, message: 'no producer'}), addWorker: noop, removeWorker: noop, togglePause: noop, toggleSubscription: noop, quit: () => {}},
	colorOn: false,
});
