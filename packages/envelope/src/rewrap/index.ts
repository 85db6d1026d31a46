export type { RewrapOptions, RewrapResult, RewrappedHeader } from './options.js';
export { rewrap } from './rewrap.js';
export { RewrapStream, rewrapStream } from './rewrap-stream.js';
