// Node's fs errors are created in the main realm; jest runs tests in a vm realm whose Error is a different
// object, so `err instanceof Error` fails inside @salesforce/core and it mishandles ENOENT. Sharing the main
// realm's Error fixes that.
const { TestEnvironment } = require('jest-environment-node');

module.exports = class SharedErrorEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.Error = Error;
  }
};
