import { StageSpinner } from '../../src/support/progress.js';

describe('StageSpinner outside a terminal', () => {
  const make = (enabled = true) => {
    const lines: string[] = [];
    let clock = 0;
    const spinner = new StageSpinner(
      enabled,
      false,
      (line) => lines.push(line),
      () => clock
    );
    return { spinner, lines, tick: (ms: number) => (clock += ms) };
  };

  it('prints one line per stage, not one fragment per status update', () => {
    const { spinner, lines, tick } = make();
    spinner.start('Verify a test enrollment arrives');
    for (let poll = 1; poll <= 5; poll++) {
      tick(2_000);
      spinner.status = `poll ${poll}: not yet`;
    }
    spinner.stop();
    spinner.start('Backfill');
    spinner.stop('done');
    expect(lines).toEqual(['Verify a test enrollment arrives...', 'Backfill...', 'Backfill: done']);
  });

  it('adds at most one status line a minute during a long wait, each on its own line', () => {
    const { spinner, lines, tick } = make();
    spinner.start('Installing Northpass', 'queued');
    for (let read = 1; read <= 12; read++) {
      tick(15_000);
      spinner.status = `IN_PROGRESS · ${read} status read(s)`;
    }
    expect(lines).toEqual([
      'Installing Northpass... queued',
      '  IN_PROGRESS · 4 status read(s)',
      '  IN_PROGRESS · 8 status read(s)',
      '  IN_PROGRESS · 12 status read(s)',
    ]);
    expect(spinner.status).toBe('IN_PROGRESS · 12 status read(s)');
  });

  it('prints nothing when output is off (--json)', () => {
    const { spinner, lines, tick } = make(false);
    spinner.start('Planning');
    tick(120_000);
    spinner.status = 'still planning';
    spinner.stop('done');
    expect(lines).toEqual([]);
  });
});
