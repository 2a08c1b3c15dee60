// The portal lab's explanation panel, in our own words.
export const portalTitle = 'The event portal: a schema that evolves, discovered, then enforced';

export const portalExplanation = [
	'A producer posts orders to lab.portal.orders while a consumer group reads them. Nobody declared a schema: the portal watcher infers one from the traffic itself and keeps a version history.',
	'The shape changes in three steps (v to step now): first {orderId, amount}; then an optional note is added, which breaks no reader; then amount is renamed total and becomes a string, which breaks readers and writers of the old shape. Each new version says which compatibility (BACKWARD, FORWARD, FULL) the change breaks and why; the consumer starts to miss amount.',
	'Inferred schemas have an open content model: a field they do not list may still come. That is why adding a field can still be called a FORWARD break, and why a declared schema is the contract, not the inference.',
	'Press r to register the current inferred shape and turn enforcement on: from then on the producer checks every event before storing it. The next breaking event is answered 422 with the failing path, and nothing of it is stored; the consumer never sees it.',
];
