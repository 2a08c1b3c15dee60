// The three shapes the portal lab's producer sends, in order.
import type {Shape} from './snapshot.js';

export const shapeTexts: Record<Shape, string> = {
	1: 'v1 {orderId, amount: integer}',
	2: 'v2 {orderId, amount, note?}: an optional field added',
	3: 'v3 {orderId, total: string, note?}: amount renamed total, and a string',
};

/** The n-th event of a shape (n counts from 1): the note comes on every other event from shape 2 on. */
export function eventOf(shape: Shape, n: number): Record<string, unknown> {
	const orderId = `ord-${n}`;
	const cents = 1000 + ((n * 37) % 9000);
	const note = shape >= 2 && n % 2 === 0 ? {note: `gift wrap ${n}`} : {};
	if (shape === 3) return {orderId, total: (cents / 100).toFixed(2), ...note};
	return {orderId, amount: cents, ...note};
}
