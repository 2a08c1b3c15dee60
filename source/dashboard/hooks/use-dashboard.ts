import {useContext} from 'react';
import {DashboardContext, type DashboardContextValue} from '../components/DashboardContext.js';

/** The dashboard's store, controls and colour setting; throws when drawn outside its provider. */
export default function useDashboard(): DashboardContextValue {
	const value = useContext(DashboardContext);
	if (!value) {
		throw new Error('a dashboard component was drawn outside <DashboardContext.Provider>: mount it through screen.tsx (tests: renderDashboard)');
	}
	return value;
}
