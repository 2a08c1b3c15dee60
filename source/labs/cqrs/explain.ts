// The CQRS lab's explanation panel, in our own words.
export const cqrsTitle = 'Eventual consistency and CQRS';

export const cqrsExplanation = [
	'Writes and reads take different roads. A command (POST /commands/placeOrder, payOrder, shipOrder, cancelOrder) is checked against the write side and, when valid, becomes an event. Queries (GET /queries/orders/:id, GET /queries/orders) never look at the write side: they read a model a projector builds from those events.',
	'Look at the table: W is the version on the write side, R the version the read side has. While R trails W the row is STALE and counts how long; once the projector catches up the row shows how long the change took to arrive. Lag says how many events the read side owes and how old the oldest is. Add projection delay (d) to widen the gap.',
	'Try it with curl: POST a command, then GET the order at once: a 404 or the old version. The same GET a moment later shows the new one. The read-your-writes probe (r) times that gap.',
	'Scale the query side with + and -: replicas share one consumer group, so each event reaches one replica and their counts add up. Beside them, two classic mistakes: replicas that each have their own group all handle every event (work and side effects multiply), and two different handlers sharing one group each see only about half (the rest never reaches them).',
];
