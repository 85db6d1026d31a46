/** Prints the demo's story: numbered steps, the equivalent commands, and indented results. */
export class Narrator {
  #step = 0;
  readonly #write: (text: string) => void;
  readonly #bold: (text: string) => string;

  constructor(write: (text: string) => void, color: boolean) {
    this.#write = write;
    this.#bold = color ? (text) => `\u001b[1m${text}\u001b[22m` : (text) => text;
  }

  title(text: string): void {
    this.#write(`${this.#bold(text)}\n`);
  }

  step(text: string): void {
    this.#step += 1;
    this.#write(`\n${this.#bold(`${this.#step}. ${text}`)}\n`);
  }

  command(text: string): void {
    this.#write(`   $ ${text}\n`);
  }

  say(text: string): void {
    for (const line of text.replace(/\n$/, '').split('\n')) this.#write(`   ${line}\n`);
  }

  blank(): void {
    this.#write('\n');
  }
}
