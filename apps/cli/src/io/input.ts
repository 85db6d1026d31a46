/** The file argument that means stdin (or, for --output, stdout). */
export const STDIO = '-';
