import type {LabActionHint} from '../view-model.js';

/** Which shape the producer sends: 1 {orderId, amount}, 2 adds an optional note, 3 renames amount to total as a string. */
export type Shape = 1 | 2 | 3;

export type PortalVersionRow = {
	version: number;
	/** Redis ms. */
	at: number;
	/** One line per change: marker, JSON pointer, kind. */
	changes: string[];
	/** Which directions the change breaks. */
	breaks: ('backward' | 'forward')[];
	/** The first break's reason, when any. */
	why?: string;
};

export type PortalLabSnapshot = {
	lab: 'portal';
	title: string;
	explanation: string[];
	now: number;
	url?: string;
	topic: string;
	shape: Shape;
	shapeText: string;
	/** Events posted, stored (200) and refused (422). */
	sent: number;
	stored: number;
	refused: number;
	/** The last 422 as the producer answered it. */
	lastRefusal?: string;
	/** The declared schema, once r registered one. */
	declared?: {version: number; mode: string; compat: string};
	/** The last registration's refusal (a new shape incompatible with the declared one), while it stands. */
	registerError?: string;
	versions: PortalVersionRow[];
	consumer: {group: string; read: number; missingAmount: number; lag?: number};
	actions: LabActionHint[];
};
