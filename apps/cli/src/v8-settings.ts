/**
 * V8 settings for the `polykms` process, set before any other module loads (bin.ts imports this
 * first). The CLI owns its process; the library never does this on an application's behalf.
 * Why (#17, peak RSS of a streamed GiB, measured with `/usr/bin/time -v`):
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial size instead of growing
 *   to 16 MiB. Streaming allocates small handles per chunk and frame that die young; a large young
 *   generation only holds more of them (and the buffers they keep outside the heap) before a
 *   scavenge. About -8 MiB.
 * - `--no-opt`: no TurboFan. The CLI's hot work is node:crypto and fs, native code; TurboFan's
 *   compilations of the JS around them cost more memory than they save time. Sparkplug and Maglev
 *   still compile hot code. About -5 MiB, a few per cent more CPU time.
 * Node documents that flags set after start may do nothing; these are read by V8 when it decides
 * (to grow the young generation, to optimise a function), so they take effect; at worst a run
 * uses more memory, never other bytes.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--no-opt');
