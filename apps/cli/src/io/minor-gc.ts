import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' }) => void;
let gc: Gc | null | undefined;

/**
 * Runs a young-generation collection (a scavenge: well under a millisecond here). Why a CLI
 * needs it: fs streams and node:crypto allocate a fresh buffer per chunk and per frame, outside the
 * V8 heap, freed only once a collection finds their small JS handles dead; V8 starts one only
 * after tens of MiB of such memory, so a streamed gigabyte peaked at 130–160 MiB of RSS, mostly
 * dead buffers (#17). Collecting every 2 MiB streamed (a few hundred scavenges per GiB, ~0.1–0.3 ms
 * each) brought it to ~86 MiB; every 16 MiB, ~115. The CLI owns its process, so it may ask for the collection itself;
 * `--expose-gc` is set for a fresh context only, which is where the function is taken from.
 * Does nothing if this Node does not allow it.
 */
export function minorGc(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as Gc;
    } catch {
      gc = null;
    }
  }
  gc?.({ type: 'minor' });
}
