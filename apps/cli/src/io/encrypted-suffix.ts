/** What `encrypt` appends to a file's name, and `decrypt` takes off. */
export const ENCRYPTED_SUFFIX = '.pkms';
