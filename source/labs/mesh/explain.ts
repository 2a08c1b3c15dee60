// The mesh lab's explanation panel, in our own words.
export const meshTitle = 'The event mesh: three brokers, events routed to interest, nothing lost or doubled';

export const meshExplanation = [
	'Three separate redis-servers, east, west and edge, are joined in a triangle by eda mesh (every bridge runs in this process). A producer publishes orders on east only. A consumer group on west (billing) and one on edge (shipping) make interest: each broker advertises it, and the mesh carries each event by the shortest path to every broker that wants it.',
	'Each event remembers its route: meshpath lists the brokers it was stored on, so you see east→west and east→edge, never a loop. Each broker stores an event at most once, keyed by its source and id, so the totals below show every event expected at a consumer, how many arrived, and how many arrived twice (always 0).',
	'c cuts the east–west link (both ways): its bridges stop carrying, the backlog on east grows, and west waits (each copy of an event names the brokers it travels for, so edge never passes on what it was not sent for, and nothing arrives twice); when you heal the link the backlog drains in order, each event once. s stops the edge broker (SIGSTOP, as a host that froze), and resumes it: the same, for a broker instead of a link.',
	'g removes the shipping group on edge, then adds it back: the mesh stops sending edge anything once the interest is withdrawn, and sends what is published after the interest reached east again. Expected counts follow the routes, so nothing is called lost that was never meant to arrive.',
];
