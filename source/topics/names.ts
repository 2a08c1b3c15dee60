import {reservedTopicPrefixes, reservedTopics} from '../redis/keys.js';

export const maxTopicLength = 200;
const topicPattern = /^[A-Za-z0-9._:-]+$/;
const globPattern = /^[A-Za-z0-9._:*?-]+$/;

/** Why a topic name cannot be published to, or undefined when it can. */
export function topicError(topic: string): string | undefined {
	if (topic.length === 0) return 'the topic name is empty';
	if (topic.length > maxTopicLength) return `the topic name is longer than ${maxTopicLength} characters`;
	if (!topicPattern.test(topic)) return 'a topic name may hold only letters, digits and . _ - :';
	if (reservedTopics.has(topic)) return `${topic} is a reserved topic`;
	const reserved = reservedTopicPrefixes.find(({prefix}) => topic.startsWith(prefix));
	if (reserved) return `${topic} is a reserved topic: names starting with ${reserved.prefix} are ${reserved.whose}`;
	return undefined;
}

/** True for a subscription pattern such as `orders.*`. */
export function isPattern(topic: string): boolean {
	return /[*?]/.test(topic);
}

/** Why a topic or pattern cannot be subscribed to, or undefined. */
export function subscriptionError(topic: string): string | undefined {
	if (topic.length === 0) return 'the topic name is empty';
	if (topic.length > maxTopicLength) return `the topic name is longer than ${maxTopicLength} characters`;
	if (!globPattern.test(topic)) return 'a topic may hold only letters, digits, . _ - : and the wildcards * ?';
	return undefined;
}
