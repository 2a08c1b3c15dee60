// The Deferred lab's explanation panel, in our own words.
export const deferredTitle = 'Deferred execution: countdowns, then the drain';

export const deferredExplanation = [
	'A burst of tasks is posted to POST /deferred-exec, each with its own delay. Nothing runs them yet: they sit in the schedule with a countdown, and the producer has already answered.',
	'Look at the countdowns: when one reaches zero the master moves the task to message:queue, where it waits for a worker. Ready climbs as tasks fall due faster than they are taken.',
	'First one worker polls at the article\'s cadence, one task every 10 s: the queue drains a step at a time and the oldest task keeps ageing. Switch to four workers at full speed (w) and the same queue empties almost at once. The work did not change, only how fast it is taken.',
	'Post another burst (b) to compare both drains; pause the master (m) to see due tasks go overdue while nobody moves them.',
];
