// `--fail-rate` for the orders lab: one share for every service that can fail,
// or per service ("payments=0.3,shipping=0"), or both ("0.1,shipping=0.5").
import {parseShare} from '../../cli/parse.js';
import {UserError} from '../../errors.js';
import {failingServices, services, type FailingService} from './flow.js';

export type FailRates = {
	/** The share for every failing service not named. */
	failRate: number;
	/** Services named on their own. */
	failRates: Partial<Record<FailingService, number>>;
};

const forms = 'use e.g. 0.2, payments=0.3,shipping=0 or 0.1,shipping=0.5';

/** Parses the flag's text; any bad part is a usage error that names the part. */
export function parseFailRates(value: string | undefined, fallback: number): FailRates {
	if (value === undefined) return {failRate: fallback, failRates: {}};
	const wrong = (why: string) => new UserError(`--fail-rate "${value}": ${why}`, 2);
	let base: number | undefined;
	const failRates: Partial<Record<FailingService, number>> = {};
	for (const raw of value.split(',')) {
		const part = raw.trim();
		if (part === '') throw wrong(`an empty part; ${forms}`);
		const equals = part.indexOf('=');
		const name = equals < 0 ? undefined : part.slice(0, equals).trim();
		const share = parseShare(equals < 0 ? part : part.slice(equals + 1));
		if (name === undefined) {
			if (share === undefined) throw wrong(`"${part}" is not a share from 0 to 1; ${forms}`);
			if (base !== undefined) throw wrong(`two shares for the services not named; ${forms}`);
			base = share;
			continue;
		}
		if (!(failingServices as readonly string[]).includes(name)) {
			// orders and notifications are services too, but nothing in them can fail.
			const what = name === '' ? `"${part}" names no service` : (services as readonly string[]).includes(name) ? `${name} has no failure rate` : `unknown service "${name}"`;
			throw wrong(`${what}; the services that can fail are ${failingServices.join(', ')}`);
		}
		if (share === undefined) throw wrong(`${name}: "${part.slice(equals + 1).trim()}" is not a share from 0 to 1; ${forms}`);
		if (failRates[name as FailingService] !== undefined) throw wrong(`${name} is given twice`);
		failRates[name as FailingService] = share;
	}
	return {failRate: base ?? fallback, failRates};
}

/** "payments 30%, inventory 0%, shipping 10%": how the lab says its rates. */
export function describeFailRates(rates: Record<FailingService, number>): string {
	return failingServices.map((name) => `${name} ${Math.round(rates[name] * 100)}%`).join(', ');
}
