// The Orders lab's explanation panel, in our own words.
export const ordersTitle = 'Choreography: an order flow with no orchestrator';

export const ordersExplanation = [
	'Nobody runs this flow. The orders service only announces orderCreated; payments, inventory and shipping each react to the events they care about and announce their own outcome, and nothing above them decides the order of steps.',
	'Look at the swimlanes: one row per service, an order read left to right. Every event carries the order as its correlationid and the event it answers as its causationid, so each chain is rebuilt from the durable streams alone, including events other processes stored.',
	'Raise the failure rate (f for all three; p, i or s for payments, inventory or shipping alone): a decline ends the order at once; a later failure makes the services that already acted undo their part (paymentRefunded, stockReleased) before orders cancels. Each order ends exactly once, shipped or cancelled, and refunds always match what was taken.',
	'Pause a service (its capital letter): its events wait in its consumer group, the waiting count grows and orders stall in its lane; resume it and it works through the backlog, oldest first.',
];
