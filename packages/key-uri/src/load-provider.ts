import { ProviderNotInstalledError } from './errors.js';

/** The package a failed import could not find, or undefined when the failure was something else. */
export function missingPackageOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const text = error.message;
  if (code !== 'ERR_MODULE_NOT_FOUND' && !/Cannot find (package|module)|Failed to (load|resolve)/.test(text))
    return undefined;
  return /(?:package|module|import|url) ['"]([^'"]+)['"]/.exec(text)?.[1];
}

/**
 * Imports a provider package on first use, so that an application installs only the clouds it
 * uses. A missing package (the provider itself or its cloud SDK) becomes a ProviderNotInstalledError
 * naming what to install; any other failure is a bug and propagates as it is.
 */
export async function importProvider<T>(
  scheme: string,
  packageName: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const missing = missingPackageOf(error);
    if (missing === undefined) throw error;
    // The missing package's bare name is what to install; a missing file path means the provider's.
    const toInstall = /^(@[^/]+\/)?[^./][^/]*/.exec(missing)?.[0] ?? packageName;
    throw new ProviderNotInstalledError(scheme, toInstall, error);
  }
}
