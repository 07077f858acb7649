// Stand-in for lightning/navigation: NavigationMixin with the Navigate and GenerateUrl methods.
// https://developer.salesforce.com/docs/platform/lwc/guide/use-navigate.html
// A standard__recordRelationshipPage gets the URL Lightning Experience gives it; navigating announces that URL to
// the preview page, which shows it in its status line instead of leaving.
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

function urlOf(pageReference) {
  const { type, attributes = {} } = pageReference || {};
  if (type === 'standard__recordRelationshipPage') {
    const { objectApiName, recordId, relationshipApiName, actionName = 'view' } = attributes;
    return `/lightning/r/${objectApiName}/${recordId}/related/${relationshipApiName}/${actionName}`;
  }
  return '#';
}

export function NavigationMixin(Base) {
  return class extends Base {
    [Navigate](pageReference) {
      // The preview page shows it (a component may not reach outside itself).
      window.dispatchEvent(new CustomEvent('preview-navigate', { detail: { url: urlOf(pageReference) } }));
    }

    [GenerateUrl](pageReference) {
      return Promise.resolve(urlOf(pageReference));
    }
  };
}
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
