import {Box, Text} from 'ink';
import React, {useState} from 'react';
import useKeys from '../hooks/use-keys.js';
import useLatestState from '../hooks/use-latest-state.js';
import {parseDuration} from '../../text/duration.js';
import {topicError} from '../../topics/names.js';
import useTheme from '../hooks/use-theme.js';
import {keyName} from '../keymap.js';
import {edit, field, type Field} from '../text-edit.js';
import {cut} from '../../text/index.js';
import useDashboard from '../hooks/use-dashboard.js';
import TextField from './TextField.js';

type Props = {width: number; height: number};

type FieldName = 'topic' | 'kind' | 'delay' | 'payload';

/** Where the JSON is wrong, in words, or undefined when it parses. */
export function jsonError(text: string): {message: string; position?: number} | undefined {
	if (text.trim() === '') return {message: 'the payload is empty; type JSON such as {"order_id": 123}'};
	try {
		JSON.parse(text);
		return undefined;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		const position = /position (\d+)/.exec(message);
		return {message, position: position ? Number(position[1]) : undefined};
	}
}

/** Known topics starting with what was typed (completion), nearest first. */
export function completions(typed: string, topics: string[]): string[] {
	return topics.filter((topic) => topic.startsWith(typed) && topic !== typed).slice(0, 5);
}

/**
 * The publish form (`n`): a topic with completion from the known topics, topic
 * or deferred (with a delay), and a JSON payload whose parse error shows in
 * place. Submitting goes to the embedded producer over HTTP, its own code path.
 */
export default function PublishForm({width, height}: Props) {
	const {store, controls} = useDashboard();
	const {color} = useTheme();
	const known = store.topicNames();
	const selectedTopic = known[store.getState().ui.selection.topics];
	const [topic, setTopic, topicRef] = useLatestState<Field>(() => field(selectedTopic ?? ''));
	const [deferred, setDeferred, deferredRef] = useLatestState(() => false);
	const [delay, setDelay, delayRef] = useLatestState<Field>(() => field('10s'));
	const [payload, setPayload, payloadRef] = useLatestState<Field>(() => field('{"order_id": 123}'));
	const [active, setActive, activeRef] = useLatestState<FieldName>(() => 'topic');
	const [result, setResult] = useState<{text: string; error: boolean} | undefined>();
	const [sending, setSending] = useState(false);

	const check = (values: {topic: Field; deferred: boolean; delay: Field; payload: Field}) => {
		const delayOk = values.delay.value.trim() === '' || parseDuration(values.delay.value, 's') !== undefined;
		return {
			order: (values.deferred ? ['kind', 'delay', 'payload'] : ['topic', 'kind', 'payload']) as FieldName[],
			suggestions: completions(values.topic.value, known),
			parse: jsonError(values.payload.value),
			topicProblem: values.deferred ? undefined : topicError(values.topic.value),
			delayProblem: values.deferred && !delayOk ? `"${values.delay.value}" is not a delay; use e.g. 30s, 500ms, 2m` : undefined,
		};
	};
	const {suggestions, parse, topicProblem, delayProblem} = check({topic, deferred, delay, payload});
	const latest = () => ({topic: topicRef.current, deferred: deferredRef.current, delay: delayRef.current, payload: payloadRef.current});

	const step = (by: 1 | -1) => {
		const {order} = check(latest());
		const index = order.indexOf(activeRef.current);
		setActive(order[(index + by + order.length) % order.length] ?? 'payload');
	};

	const submit = () => {
		const values = latest();
		const {topicProblem, delayProblem, parse} = check(values);
		const problem = topicProblem ?? delayProblem ?? parse?.message;
		if (problem) {
			setResult({text: problem, error: true});
			return;
		}
		setSending(true);
		controls
			.publish({topic: values.topic.value, deferred: values.deferred, delay: values.deferred ? values.delay.value.trim() : '', payload: values.payload.value})
			.then((answer) => {
				setSending(false);
				if (answer.ok) {
					store.notice(answer.message);
					store.ui(() => ({overlay: 'none'}));
				} else setResult({text: answer.message, error: true});
			})
			.catch((error: unknown) => {
				setSending(false);
				setResult({text: error instanceof Error ? error.message : String(error), error: true});
			});
	};

	useKeys((input, key, paste) => {
		const name = paste ? 'paste' : keyName(input, key);
		if (name === 'escape') {
			store.ui(() => ({overlay: 'none'}));
			return;
		}
		if (sending) return;
		if (name === 'return') return submit();
		const active = activeRef.current;
		// A paste goes into the field as text (edit makes its line breaks and tabs spaces); the switch takes none.
		if (paste && active === 'kind') return;
		const {suggestions} = check(latest());
		if (name === 'tab' && active === 'topic' && suggestions[0]) return setTopic(field(suggestions[0]));
		if (name === 'tab' || name === 'down') return step(1);
		if (name === 'shift+tab' || name === 'up') return step(-1);
		if (active === 'kind') {
			if (name === 'left' || name === 'right' || input === ' ') setDeferred((d) => !d);
			if (input === 't') setDeferred(false);
			if (input === 'd') setDeferred(true);
			return;
		}
		const setter = active === 'topic' ? setTopic : active === 'delay' ? setDelay : setPayload;
		const current = (active === 'topic' ? topicRef : active === 'delay' ? delayRef : payloadRef).current;
		const next = edit(current, input, key);
		if (next) {
			setter(next);
			setResult(undefined);
		}
	}, {field: true});

	const inner = width - 4;
	const fieldWidth = Math.max(10, inner - 12);
	const label = (name: FieldName, text: string) => (
		<Text bold={active === name}>
			{active === name ? '› ' : '  '}
			{text.padEnd(9)}
		</Text>
	);
	const caret = parse?.position !== undefined && parse.position <= payload.value.length ? parse.position - Math.max(0, payload.cursor - fieldWidth + 1) : undefined;
	return (
		<Box flexDirection="column" borderStyle="double" borderColor={color('cyan')} width={width} height={height} paddingX={1}>
			<Text bold>Publish an event</Text>
			<Text> </Text>
			{!deferred && (
				<Box>
					{label('topic', 'Topic')}
					<TextField field={topic} active={active === 'topic'} width={fieldWidth} placeholder="orderCreated" />
				</Box>
			)}
			{!deferred && (
				<Text dimColor wrap="truncate-end">
					{'           '}
					{topicProblem && topic.value !== ''
						? `✗ ${topicProblem}`
						: suggestions.length > 0
							? `Tab completes: ${suggestions.map((s) => cut(s, 30)).join('  ')}`
							: known.length > 0
								? `known: ${known.slice(0, 6).map((s) => cut(s, 20)).join('  ')}`
								: ''}
				</Text>
			)}
			<Box>
				{label('kind', 'Send as')}
				<Text>
					{deferred ? '( ) topic  (•) deferred' : '(•) topic  ( ) deferred'}
					<Text dimColor>{active === 'kind' ? '   ←/→ or space switches' : ''}</Text>
				</Text>
			</Box>
			{deferred && (
				<Box>
					{label('delay', 'Delay')}
					<TextField field={delay} active={active === 'delay'} width={12} />
					<Text dimColor>{delayProblem ? ` ✗ ${delayProblem}` : '  e.g. 30s, 500ms, 2m; empty: now'}</Text>
				</Box>
			)}
			<Box>
				{label('payload', 'Payload')}
				<TextField field={payload} active={active === 'payload'} width={fieldWidth} />
			</Box>
			<Text wrap="truncate-end" color={parse ? color('red') : color('green')}>
				{'           '}
				{caret !== undefined && caret >= 0 && caret < fieldWidth ? `${' '.repeat(caret)}^ ` : ''}
				{parse ? `✗ ${parse.message}` : '✓ valid JSON'}
			</Text>
			<Text> </Text>
			<Text dimColor wrap="truncate-end">
				{deferred ? 'POST /deferred-exec' : `POST /topics/${cut(topic.value || '<topic>', 30)}`} · Enter publishes · Tab/↑/↓ move · Esc cancels
			</Text>
			{sending && <Text>publishing…</Text>}
			{result && (
				<Text color={result.error ? color('red') : color('green')} wrap="wrap">
					{result.error ? '✗ ' : '✓ '}
					{cut(result.text, inner * 2)}
				</Text>
			)}
		</Box>
	);
}
