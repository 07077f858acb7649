// Stand-in for lightning-formatted-date-time: Intl.DateTimeFormat with the component's attributes, in the
// browser's locale. https://developer.salesforce.com/docs/component-library/bundle/lightning-formatted-date-time
import { LightningElement, api } from 'lwc';

export default class FormattedDateTime extends LightningElement {
  @api value;
  @api year;
  @api month;
  @api day;
  @api timeZone;

  get text() {
    if (this.value === undefined || this.value === null || this.value === '') return '';
    const date = new Date(this.value);
    if (Number.isNaN(date.getTime())) return '';
    const options = { year: this.year, month: this.month, day: this.day, timeZone: this.timeZone };
    return new Intl.DateTimeFormat(undefined, options).format(date);
  }
}
