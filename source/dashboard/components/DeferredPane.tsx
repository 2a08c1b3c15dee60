import {Box, Text} from 'ink';
import React, {memo} from 'react';
import useNow from '../hooks/use-now.js';
import useStore from '../hooks/use-store.js';
import useTheme from '../hooks/use-theme.js';
import {pausable} from '../store/selectors.js';
import type {DashboardState, DeferredEvent, LocalActor, NamedQueue} from '../store/types.js';
import {countdown, cut, duration, pad} from '../../text/index.js';
import Pane from './Pane.js';

type Props = {width: number; height: number};

// One empty list for every read: the store compares what a selector returns, and a new [] each time would redraw forever.
const noQueues: NamedQueue[] = [];

const selectView = (state: DashboardState) => ({
	focused: state.ui.focus === 'deferred',
	selected: state.ui.selection.deferred,
	filter: state.ui.filters.deferred,
	scheduled: state.scheduled,
	inflight: state.inflight,
	scheduledCount: state.stages[0]?.count ?? 0,
	inflightCount: state.stages[2]?.count ?? 0,
	actors: state.actors,
	named: state.namedQueues ?? noQueues,
});

function matches(event: DeferredEvent, filter: string): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return event.id.toLowerCase().includes(needle) || event.body.toLowerCase().includes(needle);
}

function eventHead(event: DeferredEvent, when: string): string {
	return `#${cut(event.id, 8)} ${when}${event.attempts > 1 ? ` try ${event.attempts}` : ''}`;
}

const EventLine = memo(function EventLine({head, body, headWidth, inner}: {head: string; body: string; headWidth: number; inner: number}) {
	return (
		<Text wrap="truncate-end">
			{' '}
			{pad(head, headWidth)} {cut(body, Math.max(1, inner - headWidth - 2))}
		</Text>
	);
});

function EventList({events, when, inner}: {events: DeferredEvent[]; when: (event: DeferredEvent) => string; inner: number}) {
	const heads = events.map((event) => eventHead(event, when(event)));
	const headWidth = Math.min(22, Math.max(0, ...heads.map((head) => head.length)));
	return (
		<>
			{events.map((event, i) => (
				<EventLine key={event.id} head={heads[i] ?? ''} body={event.body} headWidth={headWidth} inner={inner} />
			))}
		</>
	);
}

function actorState(actor: LocalActor, now: number): string {
	if (actor.paused) return 'PAUSED';
	if (actor.kind === 'master') return 'running';
	const busy = actor.busy > 0 ? `handling ${actor.busy}` : 'idle';
	const poll = actor.nextPollAt === undefined ? '' : actor.nextPollAt <= now ? 'polling' : `poll in ${duration(actor.nextPollAt - now)}`;
	return [poll, busy].filter(Boolean).join(' · ');
}

const ActorLine = memo(function ActorLine({actor, selected, focused, now}: {actor: LocalActor; selected: boolean; focused: boolean; now: number}) {
	const {color} = useTheme();
	return (
		<Text wrap="truncate-end" inverse={selected && focused} bold={selected}>
			{selected ? '›' : ' '} {pad(actor.label, 12)} <Text color={actor.paused ? color('yellow') : undefined}>{actorState(actor, now)}</Text>
			{actor.handled > 0 ? ` · ${actor.handled} done` : ''}
		</Text>
	);
});

/**
 * The next scheduled events with live countdowns (overdue when late), the
 * in-process master and workers with each worker's next poll, and the events
 * in flight with their lease time left. Countdowns use Redis time.
 */
function DeferredPane({width, height}: Props) {
	const view = useStore(selectView);
	const now = useNow();
	const inner = width - 2;
	const rows = height - 2;
	const workers = pausable(view.actors);
	const inflight = view.inflight.filter((event) => matches(event, view.filter));
	const scheduled = view.scheduled.filter((event) => matches(event, view.filter));
	const actorRows = 1 + Math.max(1, workers.length);
	const inflightRows = 1 + Math.max(1, Math.min(inflight.length, 3));
	// Named queues (--queue) get a line each under the default queue's events, at most 3 and never the pane's last rows.
	const namedRows = view.named.length === 0 ? 0 : 1 + Math.min(view.named.length, 3);
	const scheduledRows = Math.max(2, rows - actorRows - inflightRows - namedRows);
	const scheduledShown = scheduled.slice(0, scheduledRows - 1 - (scheduled.length > scheduledRows - 1 ? 1 : 0));
	const inflightShown = inflight.slice(0, inflightRows - 1);
	const more = Math.max(0, view.scheduledCount - scheduledShown.length);
	return (
		<Pane number={3} title="Deferred" extra={view.filter ? `/${cut(view.filter, 16)}` : undefined} focused={view.focused} width={width} height={height}>
			<Box flexDirection="column" height={scheduledRows}>
				<Text bold wrap="truncate-end">
					scheduled{view.named.length > 0 ? ' on message:queue' : ''} ({view.scheduledCount})
				</Text>
				{scheduledShown.length === 0 ? (
					<Text dimColor> none</Text>
				) : (
					<EventList events={scheduledShown} when={(event) => countdown(event.at, now)} inner={inner} />
				)}
				{more > 0 && scheduledShown.length > 0 && <Text dimColor> +{more} more</Text>}
			</Box>
			{namedRows > 0 && (
				<Box flexDirection="column" height={namedRows}>
					<Text bold wrap="truncate-end">
						named queues ({view.named.length})
					</Text>
					{view.named.slice(0, namedRows - 1).map((queue) => (
						<Text key={queue.name} wrap="truncate-end">
							{' '}
							{pad(cut(queue.name, 14), 14)} {queue.nextDueAt === undefined ? 'none scheduled' : `next ${countdown(queue.nextDueAt, now)}`} · {queue.counts.scheduled} sched · {queue.counts.inflight} in flight
						</Text>
					))}
				</Box>
			)}
			<Box flexDirection="column" height={actorRows}>
				<Text bold wrap="truncate-end">
					master and workers here
				</Text>
				{workers.length === 0 ? (
					<Text dimColor> none in this process</Text>
				) : (
					workers.map((actor) => (
						<ActorLine key={actor.name} actor={actor} now={now} focused={view.focused} selected={workers[view.selected]?.name === actor.name} />
					))
				)}
			</Box>
			<Box flexDirection="column" height={inflightRows}>
				<Text bold wrap="truncate-end">
					in flight ({view.inflightCount})
				</Text>
				{inflightShown.length === 0 ? (
					<Text dimColor> none</Text>
				) : (
					<EventList events={inflightShown} when={(event) => `lease ${duration(Math.max(0, event.at - now))}`} inner={inner} />
				)}
			</Box>
		</Pane>
	);
}

export default memo(DeferredPane);
