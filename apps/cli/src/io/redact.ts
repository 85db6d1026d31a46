/** `scheme://user:password@host…`: the userinfo part of a URI, which may hold a secret. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi;

/**
 * Text with the credentials of any URI in it replaced by `***`: a key URI or a proxy setting
 * typed as `https://user:secret@host` must not reach a terminal, a log or a CI transcript.
 */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
