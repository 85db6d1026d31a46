import type { CryptographyClientOptions } from '@azure/keyvault-keys';
import { KeyClient } from '@azure/keyvault-keys';
import { type AzureEndpoint, EmulatorControl, createAzureFrontEnd } from '@polykms/emulator';

/** The emulator's Azure front end on loopback, with an admin KeyClient for set-up. */
export interface Vault {
  readonly control: EmulatorControl;
  readonly endpoint: AzureEndpoint;
  readonly admin: KeyClient;
  /** Client options for keyrings: trust the certificate; `maxRetries` when faults are injected. */
  clientOptions(maxRetries?: number): CryptographyClientOptions;
  /** Calls the vault saw, by permission name and key name. */
  calls(operation: string, keyName?: string): number;
  stop(): Promise<void>;
}

export async function startVault(): Promise<Vault> {
  const control = new EmulatorControl();
  const frontEnd = createAzureFrontEnd({ control, onChange: () => {}, throttleRetryAfterMs: 5 });
  const port = await frontEnd.listen('127.0.0.1', 0);
  const endpoint = frontEnd.endpoint('127.0.0.1', port);
  const clientOptions = (maxRetries?: number): CryptographyClientOptions => ({
    ...endpoint.clientOptions,
    ...(maxRetries === undefined ? {} : { retryOptions: { maxRetries } }),
  });
  return {
    control,
    endpoint,
    admin: new KeyClient(endpoint.vaultUrl, endpoint.credential, clientOptions()),
    clientOptions,
    calls: (operation, keyName) =>
      control.calls({ cloud: 'azure', operation, ...(keyName ? { keyId: keyName } : {}) }).total,
    stop: () => frontEnd.close(),
  };
}
