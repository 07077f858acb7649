// Every Custom Label the components import is in the labels file with a value, and every label there is used:
// a misspelt import would otherwise render as its own name ("c.CE_…") in an org.
const fs = require('fs');
const path = require('path');

const DEFAULT_DIR = path.join(__dirname, '..', '..', '..');
const LABELS_FILE = path.join(DEFAULT_DIR, 'labels', 'CustomLabels.labels-meta.xml');
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

function fileLabels() {
  const labels = new Map();
  for (const [, block] of fs.readFileSync(LABELS_FILE, 'utf8').matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
    labels.set(/<fullName>(\w+)<\/fullName>/.exec(block)[1], /<value>([\s\S]*?)<\/value>/.exec(block)?.[1]);
  }
  return labels;
}

describe('Custom Labels of the components', () => {
  it('has a value for every label the components import', () => {
    const labels = fileLabels();
    const imported = [...importedLabels()];
    expect(imported.length).toBeGreaterThan(10);
    for (const name of imported) {
      expect({ name, value: labels.get(name) }).toEqual({ name, value: expect.stringMatching(/\S/) });
    }
  });

  it('has no label that no component imports', () => {
    const imported = importedLabels();
    expect([...fileLabels().keys()].filter((name) => !imported.has(name))).toEqual([]);
  });

  it('uses names Salesforce accepts: a letter first, letters, digits and single underscores, at most 80', () => {
    for (const name of fileLabels().keys()) {
      expect(name).toMatch(/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name.endsWith('_')).toBe(false);
    }
  });
});
