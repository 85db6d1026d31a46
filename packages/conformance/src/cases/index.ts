import type { ConformanceCase } from '../case.js';
import { concurrencyCases } from './concurrency.js';
import { contextCases } from './context.js';
import { discoveryCases } from './discovery.js';
import { encryptOnlyCases } from './encrypt-only.js';
import { faultCases } from './faults.js';
import { isolationCases } from './isolation.js';
import { keyStateCases } from './key-state.js';
import { kmsAnswerCases } from './kms-answers.js';
import { leakCases } from './leaks.js';
import { providerInfoCases } from './provider-info.js';
import { roundTripCases } from './round-trip.js';
import { rotationCases } from './rotation.js';
import { tamperingCases } from './tampering.js';

/** Every case, grouped as the report lists them. The id's prefix is the group. */
export const conformanceCases: readonly ConformanceCase[] = [
  ...roundTripCases,
  ...isolationCases,
  ...tamperingCases,
  ...contextCases,
  ...keyStateCases,
  ...faultCases,
  ...rotationCases,
  ...concurrencyCases,
  ...discoveryCases,
  ...encryptOnlyCases,
  ...providerInfoCases,
  ...kmsAnswerCases,
  ...leakCases,
];
