// What the screen may ask of the running actors. The dashboard command
// implements it over the real producer and actors; tests pass a recorder.
import type {LabName} from '../labs/lab.js';
import type {EventBrowser} from './feed/browser.js';

export type PublishRequest = {
	topic: string;
	/** true: POST /deferred-exec (with `delay`); false: POST /topics/<topic>. */
	deferred: boolean;
	/** "30s", "500ms", "2m"; empty for now. */
	delay: string;
	payload: string;
};

export type PublishResult = {ok: boolean; message: string};

export type Controls = {
	publish(request: PublishRequest): Promise<PublishResult>;
	addWorker(): Promise<void>;
	removeWorker(): Promise<void>;
	/** Pause or resume an in-process master or worker, by heartbeat name. */
	togglePause(actorName: string): Promise<void>;
	/** Start a live consumer on the topic, or stop the one running. */
	toggleSubscription(topic: string): Promise<void>;
	quit(): void;
	/** The concept labs (the Labs view); absent where no lab can run. */
	labs?: LabControls;
	/** The Events view's reads and actions (feed/browser.ts); set once Redis is reached. */
	browser?: EventBrowser;
};

/** One concept lab at a time in this process, served by the dashboard's own producer. */
export type LabControls = {
	/** Starts the lab (stopping the one running first); resolves once it runs. */
	start(name: LabName): Promise<void>;
	/** Stops the running lab, if any. */
	stop(): Promise<void>;
	/** Runs the running lab's action bound to `key`. */
	action(key: string): Promise<void>;
};
