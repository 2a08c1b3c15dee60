// The labs in the picker's order, for the keymap. They are `labNames` of
// source/labs/lab.ts, which cannot load before the first frame (it brings
// express): the list is repeated here, checked against it by the compiler
// (every name a lab, every lab named) and by test/dashboard-labs.test.tsx (same order).
import type {LabName} from '../labs/lab.js';

export const labOrder = ['orders', 'cqrs', 'deferred', 'portal', 'mesh'] as const satisfies readonly LabName[];

type Missing = Exclude<LabName, (typeof labOrder)[number]>;
/** Fails to compile when a lab is missing from labOrder. */
const everyLabListed: [Missing] extends [never] ? true : never = true;
void everyLabListed;
