import { type KeyObject, createCipheriv, createDecipheriv } from 'node:crypto';
import { type FrameKind, frameAad, frameIv } from '../format/body.js';
import type { AlgorithmSuite } from '../suites.js';
import { type CiphertextScratch, FrameOpening } from './frame-opening.js';
import { freeNow } from './free-now.js';
import { FrameSealing } from './frame-sealing.js';

/**
 * Seals and opens body frames with one message's derived key. The key is a KeyObject created
 * once per message: handing OpenSSL a prepared key per frame is several times faster than a Buffer.
 */
export class FrameCipher {
  constructor(
    private readonly suite: AlgorithmSuite,
    private readonly key: KeyObject,
    private readonly messageId: Uint8Array,
  ) {}

  /** Seals a whole frame at once; returns [ciphertext, tag]. */
  seal(kind: FrameKind, sequenceNumber: number, plaintext: Uint8Array): [Buffer, Buffer] {
    const cipher = createCipheriv(this.suite.cipher, this.key, frameIv(sequenceNumber), {
      authTagLength: this.suite.tagLength,
    });
    cipher.setAAD(frameAad(this.messageId, kind, sequenceNumber, plaintext.length));
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    return [ciphertext, cipher.getAuthTag()];
  }

  /** Starts a regular frame of `frameLength` bytes whose plaintext will arrive in pieces. */
  beginRegular(sequenceNumber: number, frameLength: number): FrameSealing {
    const cipher = createCipheriv(this.suite.cipher, this.key, frameIv(sequenceNumber), {
      authTagLength: this.suite.tagLength,
    });
    cipher.setAAD(frameAad(this.messageId, 'frame', sequenceNumber, frameLength));
    return new FrameSealing(sequenceNumber, cipher);
  }

  /**
   * Seals what an unfinished regular frame holds, followed by `more` plaintext, as the final
   * frame instead; returns [ciphertext, tag]. Same key and IV, so the ciphertext of the held part
   * is the same; the tag, whose AAD names the frame kind and length, is not: it is made from the
   * plaintext, recovered by running the keystream over the held ciphertext. The regular frame's
   * tag is never made, so one tag is published per IV, as always.
   */
  sealAsFinal(sealing: FrameSealing, more: Uint8Array): [Buffer, Buffer] {
    const keystream = createDecipheriv(this.suite.cipher, this.key, frameIv(sealing.sequenceNumber), {
      authTagLength: this.suite.tagLength,
    });
    // Never finalised: nothing is authenticated here, the plaintext is only re-sealed.
    const held = keystream.update(Buffer.concat(sealing.ciphertext, sealing.length));
    const plaintext = Buffer.concat([held, more]);
    held.fill(0);
    freeNow(held);
    try {
      return this.seal('final', sealing.sequenceNumber, plaintext);
    } finally {
      plaintext.fill(0);
      freeNow(plaintext);
    }
  }

  /**
   * Starts decrypting one frame of `contentLength` bytes whose ciphertext will arrive in pieces;
   * its plaintext is released only once the tag verifies.
   */
  beginOpen(
    kind: FrameKind,
    sequenceNumber: number,
    iv: Uint8Array,
    contentLength: number,
    scratch?: CiphertextScratch,
  ): FrameOpening {
    const decipher = createDecipheriv(this.suite.cipher, this.key, iv, {
      authTagLength: this.suite.tagLength,
    });
    decipher.setAAD(frameAad(this.messageId, kind, sequenceNumber, contentLength));
    return new FrameOpening(decipher, contentLength, scratch);
  }
}
