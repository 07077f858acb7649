// Every Custom Label the components import is in the labels file with a value, and every label there is used:
// a misspelt import would otherwise render as its own name ("c.CE_…") in an org.
const fs = require('fs');
const path = require('path');
const { readCustomLabels } = require('../../../../../test/custom-labels');

const DEFAULT_DIR = path.join(__dirname, '..', '..', '..');
const BUNDLES = ['contactEnrollments', 'ldsErrors'];

function importedLabels() {
  const names = new Set();
  for (const bundle of BUNDLES) {
    const dir = path.join(DEFAULT_DIR, 'lwc', bundle);
    for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.js'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const [, name] of source.matchAll(/from '@salesforce\/label\/c\.(\w+)'/g)) names.add(name);
    }
  }
  return names;
}

describe('Custom Labels of the components', () => {
  it('has a value for every label the components import', () => {
    const labels = readCustomLabels();
    const imported = [...importedLabels()];
    expect(imported.length).toBeGreaterThan(10);
    for (const name of imported) {
      expect({ name, value: labels.get(name) }).toEqual({ name, value: expect.stringMatching(/\S/) });
    }
  });

  it('has no label that no component imports', () => {
    const imported = importedLabels();
    expect([...readCustomLabels().keys()].filter((name) => !imported.has(name))).toEqual([]);
  });

  it('uses names Salesforce accepts: a letter first, letters, digits and single underscores, at most 80', () => {
    for (const name of readCustomLabels().keys()) {
      expect(name).toMatch(/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name.endsWith('_')).toBe(false);
    }
  });
});
