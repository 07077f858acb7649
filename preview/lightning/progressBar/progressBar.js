// Stand-in for lightning-progress-bar, in the preview and in the jest tests: the public properties of the shipped
// component (value, size, variant, ariaLabel) and a `progressbar` role named by ariaLabel, as it renders, so
// accessibility checks see what a screen reader gets. (sfdx-lwc-jest's own stub predates ariaLabel and renders
// nothing.) https://developer.salesforce.com/docs/component-library/bundle/lightning-progress-bar/specification
import { LightningElement, api } from 'lwc';

export default class ProgressBar extends LightningElement {
  @api value;
  @api size;
  @api variant;
  @api ariaLabel;

  get percent() {
    const value = Number(this.value);
    return Number.isFinite(value) ? Math.min(Math.max(Math.round(value), 0), 100) : 0;
  }

  get barClass() {
    return `slds-progress-bar${this.size ? ` slds-progress-bar_${this.size}` : ''}`;
  }

  get fillStyle() {
    return `width: ${this.percent}%`;
  }
}
