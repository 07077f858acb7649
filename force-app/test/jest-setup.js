// Shared by every LWC test: accessibility matchers, and a clean DOM after each test so no test sees another
// test's components.
const { registerSa11yMatcher } = require('@sa11y/jest');
const { readCustomLabels } = require('./custom-labels');

registerSa11yMatcher();

// Each `@salesforce/label/c.<name>` import gets the value the labels file holds, as an org would serve it. The
// tests assert on the rendered text, so changing a label's value without the test's expectation fails a test
// (sfdx-lwc-jest's own stub would render the label's name instead).
for (const [name, value] of readCustomLabels()) {
  // doMock, not mock: babel-jest would hoist a jest.mock call above the loop that reads the file.
  jest.doMock(`@salesforce/label/c.${name}`, () => ({ __esModule: true, default: value }), { virtual: true });
}

afterEach(() => {
  while (document.body.firstChild) {
    document.body.removeChild(document.body.firstChild);
  }
  jest.clearAllMocks();
});
