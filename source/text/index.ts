// Every way eda writes text for people, in one place. Import from here.
//
// The rule for network text: every helper that takes text (cut, pad,
// padStart, wrap, hardWrap) sanitizes it first, always, so a caller never has
// to know where a string came from; sanitize() is idempotent, so shaping text
// twice is harmless. Text written without one of them (a whole line to stdout, a JSON
// document) goes through sanitize() or safeJson() itself.
//
//   cells.ts    cut (ellipsis, no padding), pad, padStart, hardWrap (any character), bar,
//               cells (width on screen); every width is in terminal cells
//   wrap.ts     wrap (words onto lines)
//   numbers.ts  count, rate, money
//   time.ts     duration, countdown, since
//   sanitize.ts sanitize, safeJson
export {bar, cells, cut, hardWrap, pad, padStart} from './cells.js';
export {count, money, rate} from './numbers.js';
export {safeJson, sanitize} from './sanitize.js';
export {countdown, duration, since} from './time.js';
export {wrap} from './wrap.js';
