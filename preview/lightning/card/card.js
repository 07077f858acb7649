// Stand-in for lightning-card: the SLDS card blueprint with a title, an icon, a body and a footer slot.
// https://developer.salesforce.com/docs/component-library/bundle/lightning-card/specification
// https://www.lightningdesignsystem.com/components/cards/
import { LightningElement, api } from 'lwc';

export default class Card extends LightningElement {
  @api title;
  @api iconName;

  // The footer shows only when something fills its slot, as the shipped card's does.
  hasFooter = false;

  handleFooterChange(event) {
    this.hasFooter = event.target.assignedNodes().length > 0;
  }

  get footerClass() {
    return this.hasFooter ? 'slds-card__footer' : 'slds-hide';
  }

  get iconHref() {
    const [category, name] = String(this.iconName || '').split(':');
    return `/slds/icons/${category}-sprite/svg/symbols.svg#${name}`;
  }

  get iconClass() {
    const [category, name] = String(this.iconName || '').split(':');
    return `slds-icon_container slds-icon-${category}-${String(name).replace(/_/g, '-')}`;
  }
}
