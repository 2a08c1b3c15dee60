// The Labs view for the dashboard: mount <LabsView snapshot={await lab.snapshot()} .../>
// for a running lab and <LabPicker/> before one runs.
export {default as LabsView, bodyLines, sideBySideWidth} from './LabsView.js';
export {default as LabPicker} from './LabPicker.js';
export {default as Explanation} from './Explanation.js';
export type {Line} from './LabLines.js';
