// Stand-in for lightning-spinner: the SLDS spinner, announced by its alternative text.
// https://developer.salesforce.com/docs/component-library/bundle/lightning-spinner/specification
import { LightningElement, api } from 'lwc';

export default class Spinner extends LightningElement {
  @api alternativeText;
  @api size = 'medium';

  get spinnerClass() {
    return `slds-spinner slds-spinner_${this.size}`;
  }
}
