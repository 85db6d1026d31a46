import { type KeyObject, createCipheriv, createDecipheriv } from 'node:crypto';
import { type FrameKind, frameAad, frameIv } from '../format/body.js';
import type { AlgorithmSuite } from '../suites.js';
import { FrameOpening } from './frame-opening.js';

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

  /** Returns [ciphertext, tag]. */
  seal(kind: FrameKind, sequenceNumber: number, plaintext: Uint8Array): [Buffer, Buffer] {
    const cipher = createCipheriv(this.suite.cipher, this.key, frameIv(sequenceNumber), {
      authTagLength: this.suite.tagLength,
    });
    cipher.setAAD(frameAad(this.messageId, kind, sequenceNumber, plaintext.length));
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    return [ciphertext, cipher.getAuthTag()];
  }

  /**
   * Starts decrypting one frame of `contentLength` bytes whose ciphertext will arrive in pieces;
   * its plaintext is released only once the tag verifies.
   */
  beginOpen(kind: FrameKind, sequenceNumber: number, iv: Uint8Array, contentLength: number): FrameOpening {
    const decipher = createDecipheriv(this.suite.cipher, this.key, iv, {
      authTagLength: this.suite.tagLength,
    });
    decipher.setAAD(frameAad(this.messageId, kind, sequenceNumber, contentLength));
    return new FrameOpening(decipher);
  }
}
