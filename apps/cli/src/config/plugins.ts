import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerKeyringScheme } from '@polykms/key-uri';
import { CliError } from '../cli-error.js';

/** Where plug-ins are named besides `--plugin`: a comma-separated list. */
const PLUGINS_VARIABLE = 'POLYKMS_PLUGINS';

function importTarget(spec: string): string {
  // A path (./x.mjs, /opt/x.mjs) is read from the working directory; a package name is resolved
  // where polykms is installed.
  return spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(spec)).href : spec;
}

/**
 * Loads each plug-in module and registers the key URI schemes it exports (`keyringScheme`, or a
 * list as `keyringSchemes`), so that its `scheme://` URIs work in every command.
 */
export async function loadPlugins(
  specs: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const fromEnv = (env[PLUGINS_VARIABLE] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const spec of [...fromEnv, ...specs]) {
    let module: { keyringScheme?: unknown; keyringSchemes?: unknown };
    try {
      module = await import(importTarget(spec));
    } catch (error) {
      throw new CliError(
        `cannot load the plug-in ${spec}: ${error instanceof Error ? error.message : error}`,
      );
    }
    const list = Array.isArray(module.keyringSchemes) ? module.keyringSchemes : [];
    const schemes = module.keyringScheme === undefined ? list : [module.keyringScheme, ...list];
    if (schemes.length === 0) {
      throw new CliError(`the plug-in ${spec} exports no keyringScheme (or keyringSchemes)`);
    }
    for (const scheme of schemes) registerKeyringScheme(scheme);
  }
}
