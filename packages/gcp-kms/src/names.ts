/** Cloud KMS resource ids: letters, digits, `_` and `-`, 1 to 63 characters. */
const ID = '[a-zA-Z0-9_-]{1,63}';
/** A project id, or a domain-scoped one (`example.com:my-project`). */
const PROJECT = `(?:[a-z0-9][a-z0-9.-]{0,252}:)?${ID}`;
const KEY_NAME = new RegExp(`^projects/(${PROJECT})/locations/(${ID})/keyRings/${ID}/cryptoKeys/${ID}$`);
const VERSION_NAME = new RegExp(
  `^(projects/(${PROJECT})/locations/(${ID})/keyRings/${ID}/cryptoKeys/${ID})/cryptoKeyVersions/[1-9][0-9]{0,9}$`,
);
const PROJECT_FILTER = new RegExp(`^projects/(${PROJECT})(?:/locations/(${ID}))?$`);

export interface CryptoKeyName {
  readonly name: string;
  readonly project: string;
  readonly location: string;
}

export interface CryptoKeyVersionName {
  readonly name: string;
  readonly cryptoKey: CryptoKeyName;
}

export function parseCryptoKeyName(name: string): CryptoKeyName | undefined {
  const match = KEY_NAME.exec(name);
  return match ? { name, project: match[1] as string, location: match[2] as string } : undefined;
}

export function parseCryptoKeyVersionName(name: string): CryptoKeyVersionName | undefined {
  const match = VERSION_NAME.exec(name);
  if (!match) return undefined;
  return {
    name,
    cryptoKey: { name: match[1] as string, project: match[2] as string, location: match[3] as string },
  };
}

/** `projects/<project>[/locations/<location>]`: what a discovery filter names. */
export function parseProjectFilter(
  text: string,
): { project: string; location: string | undefined } | undefined {
  const match = PROJECT_FILTER.exec(text);
  return match ? { project: match[1] as string, location: match[2] } : undefined;
}

/** Whether `project` is a project id as key names spell it. */
export function isProjectId(project: string): boolean {
  return PROJECT_FILTER.test(`projects/${project}`);
}
