import { Help } from '@oclif/core';

/**
 * Help for the bare `ce-connect` bin. Its commands are the `ce` topic of the sf CLI (`sf ce setup`), and
 * bin/run.js puts that topic in front of the arguments, so oclif would print `ce-connect ce setup`; this shows
 * what the admin types instead: `ce-connect setup`. Under `sf`, sf's own help class is used and this never runs.
 */
export default class CeConnectHelp extends Help {
  protected log(...args: string[]): void {
    super.log(...args.map((text) => withoutTopic(text, this.config.bin)));
  }
}

export function withoutTopic(text: string, bin: string): string {
  if (bin === 'sf') return text;
  return (
    text
      // Usage and examples: "$ ce-connect ce packages check" → "$ ce-connect packages check".
      .replaceAll(`${bin} ce `, `${bin} `)
      // Topic and command lists: "  ce packages   Compare…" → "  packages   Compare…", columns kept.
      .replace(/^( +)ce (\S+)( *)/gm, (_all, indent: string, name: string, gap: string) => `${indent}${name}${gap}   `)
  );
}
