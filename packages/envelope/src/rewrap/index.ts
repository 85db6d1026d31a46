export type { RewrapOptions, RewrapPartsResult, RewrapResult, RewrappedHeader } from './options.js';
export { rewrap, rewrapParts } from './rewrap.js';
export { RewrapStream, rewrapStream } from './rewrap-stream.js';
