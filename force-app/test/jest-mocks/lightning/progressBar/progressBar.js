// sfdx-lwc-jest's stub of lightning-progress-bar predates the component's `ariaLabel` property and renders
// nothing. This one has the public properties of the shipped component (value, size, variant, ariaLabel) and
// renders a `progressbar` role named by ariaLabel, as the component does, so accessibility checks in tests
// see what a screen reader gets. Mapped in jest.config.js.
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
}
