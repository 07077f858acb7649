// Stand-in for the getRelatedListRecords wire adapter of lightning/uiRelatedListApi
// (https://developer.salesforce.com/docs/platform/lwc/guide/reference-wire-adapters-related-list-records.html).
// It answers with the fixture the page's ?state= names, the same JSON files the jest tests emit, and shapes an
// error as Lightning Data Service does: a FetchResponse-like { body, ok, status, statusText }. "loading" never
// answers.
function stateOfPage() {
  return new URLSearchParams(window.location.search).get('state') || 'data';
}

export class getRelatedListRecords {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
    this.connected = false;
  }

  connect() {
    this.connected = true;
  }

  disconnect() {
    this.connected = false;
  }

  update(config) {
    if (!config || !config.parentRecordId || !config.relatedListId) return;
    const state = stateOfPage();
    if (state === 'loading') return;
    fetch(`/fixtures/${encodeURIComponent(state)}`)
      .then((response) => response.json())
      .then((answer) => {
        if (!this.connected) return;
        if (answer.error) {
          this.dataCallback({ data: undefined, error: { ...answer.error, ok: false } });
        } else {
          this.dataCallback({ data: answer.data, error: undefined });
        }
      });
  }
}
