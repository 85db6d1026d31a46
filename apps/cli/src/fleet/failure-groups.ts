import type { FileFailure } from './file-failure.js';

/** Files that failed for the same cause on the same key. */
export interface FailureGroup {
  readonly count: number;
  /** `ERR_ACCESS_DENIED`, or for a file no key opened, each recipient's code. */
  readonly cause: string;
  readonly key: string | undefined;
}

function causeOf(failure: FileFailure): { cause: string; key: string | undefined } {
  const recipients = failure.recipients ?? [];
  if (recipients.length === 0) return { cause: failure.code, key: failure.key };
  const codes = [...new Set(recipients.map((r) => r.code))].sort().join(', ');
  const keys = [...new Set(recipients.map((r) => r.recipient))].sort().join(', ');
  return { cause: `${failure.code} (${codes})`, key: keys };
}

/** Failures grouped by cause and key, the largest group first: 1,000 alike read as one line. */
export function groupFailures(failures: readonly FileFailure[]): FailureGroup[] {
  const groups = new Map<string, { count: number; cause: string; key: string | undefined }>();
  for (const failure of failures) {
    const { cause, key } = causeOf(failure);
    const id = `${cause}\u0000${key ?? ''}`;
    const group = groups.get(id);
    if (group) group.count++;
    else groups.set(id, { count: 1, cause, key });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
}

const thousands = new Intl.NumberFormat('en-US');

/** `1,000 × ERR_ACCESS_DENIED on key arn:aws:kms:…` */
export function formatFailureGroup(group: FailureGroup): string {
  return `${thousands.format(group.count)} × ${group.cause}${group.key ? ` on key ${group.key}` : ''}`;
}
