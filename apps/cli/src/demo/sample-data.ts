/** The encryption context of every demo message. */
export const ORDERS_CONTEXT = { dataset: 'orders', purpose: 'polykms-demo' } as const;

/** How many small records the cache and keyset steps encrypt. */
export const RECORDS = 1000;

/** A few hundred KB of made-up orders: big enough for several frames, deterministic. */
export function sampleOrdersCsv(rows = 4000): Buffer {
  const products = ['kettle', 'lamp', 'desk', 'chair', 'monitor', 'keyboard', 'mug', 'plant'];
  const lines = ['order_id,customer,product,quantity,amount_eur'];
  for (let i = 1; i <= rows; i++) {
    const product = products[i % products.length];
    lines.push(
      `${100000 + i},customer-${(i * 7919) % 1000},${product},${(i % 5) + 1},${((i * 37) % 500) + 9}.99`,
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** One small JSON record, as a service would encrypt per row or per event. */
export function sampleRecord(i: number): Buffer {
  return Buffer.from(JSON.stringify({ id: i, event: 'payment.captured', amountCents: (i * 113) % 10000 }));
}

/** The demo's keyset file, and the copy a backup keeps of its first generation. */
export const KEYSET_FILE = 'orders.keyset';
export const KEYSET_BACKUP_FILE = 'backup.keyset';

/** Where the keyset step writes record `i`. */
export function recordFile(i: number): string {
  return `records/${String(i).padStart(4, '0')}.json.pkms`;
}
