import type { EncryptedDataKey, Keyring } from '@polykms/envelope';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** What a rewrap does to a message's recipients; the body is never touched. */
export interface RewrapPlan {
  /** Opens the data key from one of the message's EDKs. */
  readonly unwrapKeyring: Keyring;
  /** Wraps the data key for the new recipients; undefined = add none. */
  readonly addKeyring: Keyring | undefined;
  /** Which existing EDKs stay in the header. */
  readonly keep: (edk: EncryptedDataKey) => boolean;
}

/** Rewraps one whole message. */
export async function rewrapMessage(_message: Uint8Array, _plan: RewrapPlan): Promise<Uint8Array> {
  throw new CliError(
    'rewrap is not available yet: it needs rewrap() from @polykms/envelope',
    ExitCode.Generic,
  );
}
