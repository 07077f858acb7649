// Replaces sfdx-lwc-jest's stub of lightning/navigation, whose mixin drops every call, with one that records
// them, so tests can assert where a component navigates. Mapped in jest.config.js.
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');
const navigate = jest.fn();
/** GenerateUrl's implementation; a test can make it fail with `generateUrl.mockRejectedValueOnce(...)`. */
export const generateUrl = jest.fn((pageReference) => Promise.resolve(urlOf(pageReference)));

// A Lightning-like address for the page reference, enough for tests to see which page a link points to.
function urlOf(pageReference) {
  const { type, attributes = {} } = pageReference || {};
  if (type === 'standard__recordRelationshipPage') {
    const { objectApiName, recordId, relationshipApiName, actionName } = attributes;
    return `/lightning/r/${objectApiName}/${recordId}/related/${relationshipApiName}/${actionName}`;
  }
  return `/lightning/${type}`;
}

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      navigate(pageReference, replace);
    }

    [GenerateUrl](pageReference) {
      return generateUrl(pageReference);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

/** The page reference and `replace` flag of the last Navigate call, or undefined when there was none. */
export function getNavigateCalledWith() {
  const call = navigate.mock.calls[navigate.mock.calls.length - 1];
  return call ? { pageReference: call[0], replace: call[1] } : undefined;
}

/** How many times Navigate was called since the last jest.clearAllMocks(). */
export function getNavigateCallCount() {
  return navigate.mock.calls.length;
}
