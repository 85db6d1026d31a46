/**
 * A young-generation collection (a scavenge: well under a millisecond), for code that allocates a
 * buffer per chunk or frame: fs streams and node:crypto allocate outside the V8 heap, and their
 * memory is freed only once a collection finds the small JS handles dead, which V8 starts only after
 * tens of MiB have piled up. Used by frame workers that are asked to (`collectAfterJobs`) and by the
 * `polykms` CLI, which owns its process. It sets `--expose-gc` at run time (the function is taken from
 * a fresh context, the only place the flag reaches), which also exposes `gc` in contexts created
 * later: never call it on an application's behalf unasked. Does nothing where Node refuses.
 * Imports only node: modules, so that a frame worker can load it from the TypeScript sources.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' }) => void;
let gc: Gc | null | undefined;

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
