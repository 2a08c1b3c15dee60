import {Box, Text} from 'ink';
import React, {lazy, Suspense} from 'react';
import useKeys from '../hooks/use-keys.js';
import useStore from '../hooks/use-store.js';
import useTerminalSize from '../hooks/use-terminal-size.js';
import {dispatch, typing} from '../keymap.js';
import {layout, tooSmall} from '../layout.js';
import type {DashboardState} from '../store/types.js';
import useDashboard from '../hooks/use-dashboard.js';
import CatalogScreen from './CatalogScreen.js';
import DeferredPane from './DeferredPane.js';
import EventsScreen from './EventsScreen.js';
import HelpOverlay from './HelpOverlay.js';
import LogPane from './LogPane.js';
import MeshScreen from './MeshScreen.js';
import PublishForm from './PublishForm.js';
import QueuesPane from './QueuesPane.js';
import StatusBar from './StatusBar.js';
import TooSmall from './TooSmall.js';
import TopicsPane from './TopicsPane.js';

const selectOverlay = (state: DashboardState) => state.ui.overlay;
const selectView = (state: DashboardState) => state.ui.view;

// The Labs view loads when it first opens (it brings the labs' modules).
const LabsScreen = lazy(() => import('./LabsScreen.js'));

/** The whole screen: four panes (or the Labs, Catalog or Mesh view, or an overlay, in their place) over the status bar. */
export default function App() {
	const context = useDashboard();
	const {columns, rows} = useTerminalSize();
	const overlay = useStore(selectOverlay);
	const view = useStore(selectView);
	// One handler owns the keys and looks them up in the keymap table; text
	// fields (form, prompts) take their own keys and only Ctrl-C gets through.
	// Pasted text is for those fields only: in the panes it runs no keys.
	const typeAhead = useKeys((input, key, paste) => {
		if (tooSmall(columns, rows)) {
			if (!paste && (input === 'q' || (key.ctrl && input === 'c'))) context.controls.quit();
			return;
		}
		// Keys read together with the one that opened a text field (`n` Tab Tab) are that field's, once it mounts.
		const opening = typing(context.store.getState().ui.overlay) && !typeAhead.fieldReady();
		if (opening && !(key.ctrl && input === 'c')) return typeAhead.hold(input, key, paste);
		if (typeAhead.fieldHadKey() && !(key.ctrl && input === 'c')) return;
		if (!paste) dispatch(context, input, key);
	});
	if (tooSmall(columns, rows)) return <TooSmall columns={columns} rows={rows} />;
	const size = layout(columns, rows);
	return (
		<Box flexDirection="column" width={size.columns} height={size.rows}>
			{overlay === 'help' ? (
				<HelpOverlay width={size.columns} height={size.body} />
			) : overlay === 'form' ? (
				<PublishForm width={size.columns} height={size.body} />
			) : view === 'events' ? (
				<EventsScreen width={size.columns} height={size.body} />
			) : view === 'catalog' ? (
				<CatalogScreen width={size.columns} height={size.body} />
			) : view === 'mesh' ? (
				<MeshScreen width={size.columns} height={size.body} />
			) : view === 'labs' ? (
				<Suspense fallback={<Box height={size.body}><Text>Loading the labs…</Text></Box>}>
					<LabsScreen width={size.columns} height={size.body} />
				</Suspense>
			) : (
				<Box height={size.body}>
					<Box flexDirection="column" width={size.left}>
						<TopicsPane width={size.left} height={size.topics} />
						<LogPane width={size.left} height={size.log} />
					</Box>
					<Box flexDirection="column" width={size.right}>
						<QueuesPane width={size.right} height={size.queues} />
						<DeferredPane width={size.right} height={size.deferred} />
					</Box>
				</Box>
			)}
			<StatusBar width={size.columns} />
		</Box>
	);
}
