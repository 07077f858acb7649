// Shared by every LWC test: accessibility matchers, and a clean DOM after each test so no test sees another
// test's components.
const fs = require('node:fs');
const path = require('node:path');
const { registerSa11yMatcher } = require('@sa11y/jest');

registerSa11yMatcher();

// Each `@salesforce/label/c.<name>` import gets the value the labels file holds, as an org would serve it. The
// tests assert on the rendered text, so changing a label's value without the test's expectation fails a test
// (sfdx-lwc-jest's own stub would render the label's name instead).
const LABELS_FILE = path.join(__dirname, '..', 'main', 'default', 'labels', 'CustomLabels.labels-meta.xml');
const xmlText = (text) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
for (const [, block] of fs.readFileSync(LABELS_FILE, 'utf8').matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
  const name = /<fullName>([^<]+)<\/fullName>/.exec(block)[1];
  const value = xmlText(/<value>([\s\S]*?)<\/value>/.exec(block)[1]);
  // doMock, not mock: babel-jest would hoist a jest.mock call above the loop that reads the file.
  jest.doMock(`@salesforce/label/c.${name}`, () => ({ __esModule: true, default: value }), { virtual: true });
}

afterEach(() => {
  while (document.body.firstChild) {
    document.body.removeChild(document.body.firstChild);
  }
  jest.clearAllMocks();
});
