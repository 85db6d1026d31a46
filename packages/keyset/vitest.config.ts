import { polykmsProject } from '../../vitest.shared.js';

export default polykmsProject('@polykms/keyset');
