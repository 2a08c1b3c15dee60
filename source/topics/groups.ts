// A topic's consumer groups as XINFO GROUPS tells them: read by the dashboard's
// snapshot and the portal's catalog alike.
import {fieldMap} from '../redis/reply.js';

export type ConsumerGroup = {name: string; lag: number | undefined; pending: number; consumers: number};

/** XINFO GROUPS reply (flat field lists) → groups; lag is undefined when Redis cannot tell it. */
export function groupRows(reply: unknown): ConsumerGroup[] {
	if (!Array.isArray(reply)) return [];
	return reply.map((group) => {
		const fields = fieldMap(group);
		const lag = fields.get('lag');
		return {
			name: fields.get('name') ?? '?',
			lag: lag === undefined || lag === '' || lag === 'null' ? undefined : Number(lag),
			pending: Number(fields.get('pending') ?? 0),
			consumers: Number(fields.get('consumers') ?? 0),
		};
	});
}
