import useDashboard from './use-dashboard.js';

export type Theme = {
	/** A colour name, or undefined when colour is off (NO_COLOR, --no-color). */
	color(name: string): string | undefined;
	colorOn: boolean;
};

export default function useTheme(): Theme {
	const {colorOn} = useDashboard();
	return {colorOn, color: (name) => (colorOn ? name : undefined)};
}
