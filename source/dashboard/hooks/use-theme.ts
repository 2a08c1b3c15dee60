import {useContext} from 'react';
import {DashboardContext} from '../components/DashboardContext.js';

export type Theme = {
	/** A colour name, or undefined when colour is off (NO_COLOR, --no-color). */
	color(name: string): string | undefined;
	colorOn: boolean;
};

export default function useTheme(): Theme {
	const {colorOn} = useContext(DashboardContext);
	return {colorOn, color: (name) => (colorOn ? name : undefined)};
}
