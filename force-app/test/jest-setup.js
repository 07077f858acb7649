// Shared by every LWC test: accessibility matchers, and a clean DOM after each test so no test sees another
// test's components.
const { registerSa11yMatcher } = require('@sa11y/jest');

registerSa11yMatcher();

afterEach(() => {
  while (document.body.firstChild) {
    document.body.removeChild(document.body.firstChild);
  }
  jest.clearAllMocks();
});
