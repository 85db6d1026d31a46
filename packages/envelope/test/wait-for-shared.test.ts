import { waitForShared } from '@polykms/envelope/driver';
import { describe, expect, it } from 'vitest';

const where = { provider: 'test-kms', operation: 'lookup', keyId: 'key-1' };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('waitForShared', () => {
  it('rejects one caller with ERR_CANCELLED when its signal aborts, while the others still get the result', async () => {
    const shared = deferred<string>();
    const controller = new AbortController();
    const aborted = waitForShared({ ...where, signal: controller.signal }, () => shared.promise);
    const unsignalled = waitForShared(where, () => shared.promise);
    const other = waitForShared({ ...where, signal: new AbortController().signal }, () => shared.promise);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({
      code: 'ERR_CANCELLED',
      provider: 'test-kms',
      operation: 'lookup',
      keyId: 'key-1',
      retryable: false,
    });
    shared.resolve('done');
    await expect(unsignalled).resolves.toBe('done');
    await expect(other).resolves.toBe('done');
  });

  it('does not start the shared work for a caller that has already aborted', async () => {
    let started = false;
    await expect(
      waitForShared({ ...where, signal: AbortSignal.abort() }, () => {
        started = true;
        return Promise.resolve('never');
      }),
    ).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(started).toBe(false);
  });

  it('passes the shared failure through unchanged when the caller did not abort', async () => {
    const failure = new Error('lookup failed');
    await expect(
      waitForShared({ ...where, signal: new AbortController().signal }, () => Promise.reject(failure)),
    ).rejects.toBe(failure);
    await expect(waitForShared(where, () => Promise.reject(failure))).rejects.toBe(failure);
  });
});
