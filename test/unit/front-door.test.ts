import { rewriteCommands, rewriteStrings } from '../../src/core/front-door.js';

const WORDS = new Set(['packages', 'setup', 'enrollments']);
const asSf = (text: string): string => rewriteCommands(text, 'sf ce', WORDS);

describe('commands named the way the front door in use runs them', () => {
  it('rewrites every command a text names, with or without npx', () => {
    expect(asSf('ce-connect packages install -o <org>')).toBe('sf ce packages install -o <org>');
    expect(asSf('Run `npx ce-connect setup -o prod` again.')).toBe('Run `sf ce setup -o prod` again.');
    expect(asSf('ce-connect enrollments unlinked -o x, then ce-connect enrollments relink -o x')).toBe(
      'sf ce enrollments unlinked -o x, then sf ce enrollments relink -o x'
    );
  });

  it('leaves the name of the tool alone where it is not a command', () => {
    const prose = 'Run it from your copy of the ce-connect project; --since is not a time ce-connect understands.';
    expect(asSf(prose)).toBe(prose);
  });

  it('rewrites the strings of a JSON result and keeps its other values', () => {
    const result = {
      fix: 'ce-connect setup -o a',
      writes: 2,
      ok: true,
      none: null,
      items: ['ce-connect packages check'],
    };
    expect(rewriteStrings(result, asSf)).toEqual({
      fix: 'sf ce setup -o a',
      writes: 2,
      ok: true,
      none: null,
      items: ['sf ce packages check'],
    });
  });
});
