// Stand-in for lightning-badge: https://developer.salesforce.com/docs/component-library/bundle/lightning-badge
import { LightningElement, api } from 'lwc';

export default class Badge extends LightningElement {
  @api label;
}
