import type {LabActionHint} from '../view-model.js';

export type MeshLabBroker = {name: string; url: string; stopped: boolean; interest: string[]};

export type MeshLabLink = {link: string; state: 'up' | 'down'; reason?: string; rate: number; backlog: number; latencyMs: number; forwarded: number; duplicates: number};

export type MeshLabConsumer = {
	broker: string;
	group: string;
	/** The group exists now (g removes and adds the one on edge). */
	on: boolean;
	/** East has a route to its broker for the topic (its interest reached east): what is published from now on is expected there, while the group is on. */
	routed: boolean;
	/** Events published on east after this consumer's interest reached it (and before it went). */
	expected: number;
	/** Events read, and of those, ids read a second time. */
	received: number;
	doubled: number;
	/** Expected and not read yet: on their way, or waiting behind a cut. */
	waiting: number;
	/** The route of the last event read: its meshpath. */
	lastRoute?: string;
};

export type MeshLabSnapshot = {
	lab: 'mesh';
	title: string;
	explanation: string[];
	now: number;
	url?: string;
	topic: string;
	published: number;
	/** The link cut by hand, if any ("east-west"). */
	cut?: string;
	brokers: MeshLabBroker[];
	links: MeshLabLink[];
	consumers: MeshLabConsumer[];
	/** The last few routes taken, newest first ("east→edge"). */
	routes: {id: string; path: string; at: string}[];
	actions: LabActionHint[];
};
