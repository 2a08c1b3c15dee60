// Plain-data pieces every lab snapshot shares.

/** A key and what it does, for the hint line (the action itself stays with the lab). */
export type LabActionHint = {key: string; label: string};
