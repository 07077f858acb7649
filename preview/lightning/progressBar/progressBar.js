// Stand-in for lightning-progress-bar: a `progressbar` role named by ariaLabel, as the shipped component renders.
// https://developer.salesforce.com/docs/component-library/bundle/lightning-progress-bar/specification
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
