import { createElement } from 'lwc';
import ContactEnrollments from 'c/contactEnrollments';
import { getRelatedListRecords } from 'lightning/uiRelatedListApi';
import { generateUrl, getNavigateCalledWith, getNavigateCallCount } from 'lightning/navigation';
import { flushPromises } from '../../../../../test/flush-promises';

// A getRelatedListRecords response for one contact. Its records are in Id order, not newest first, as a
// response merged from the LDS cache may be, so the component's own sort is what puts them in order.
const ENROLLMENTS = require('./data/enrollments.json');
const NO_ENROLLMENTS = require('./data/enrollmentsEmpty.json');
const INVALID_FIELD = require('./data/invalidFieldError.json');
// A first page of 25 with more to come (nextPageToken), as a contact with a long learning history gets.
const MANY_ENROLLMENTS = require('./data/enrollmentsMany.json');

const CONTACT_ID = '0035g00000XyZaBAAV';

function createComponent(attributes = {}) {
  const element = createElement('c-contact-enrollments', { is: ContactEnrollments });
  Object.assign(element, { recordId: CONTACT_ID, ...attributes });
  document.body.appendChild(element);
  return element;
}

async function createWithData(data, attributes) {
  const element = createComponent(attributes);
  getRelatedListRecords.emit(data);
  await flushPromises();
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));
const courseNames = (element) => $$(element, '.enrollment .course').map((node) => node.textContent.trim());
const rowById = (element, id) => $(element, `.enrollment[data-id="${id}"]`);
const countOf = (element, name) => $(element, `[data-count="${name}"]`).textContent.replace(/\s+/g, ' ').trim();

describe('c-contact-enrollments', () => {
  describe('wire configuration', () => {
    it('asks for the related list of the page record with Object.Field names, newest first', async () => {
      createComponent();
      await flushPromises();

      expect(getRelatedListRecords.getLastConfig()).toEqual({
        parentRecordId: CONTACT_ID,
        relatedListId: 'northpass__Enrollments__r',
        fields: [
          'northpass__Enrollment__c.northpass__Course_Name__c',
          'northpass__Enrollment__c.northpass__Progress_Percentage__c',
          'northpass__Enrollment__c.northpass__Course_Attempt_Number__c',
          'northpass__Enrollment__c.northpass__Enrollment_Date__c',
        ],
        sortBy: ['-northpass__Enrollment__c.northpass__Enrollment_Date__c'],
        pageSize: 200,
      });
    });

    it('uses the names set in App Builder, qualifying bare field names and keeping qualified ones', async () => {
      createComponent({
        relatedListId: 'acme__Enrollments__r',
        enrollmentObject: 'acme__Enrollment__c',
        courseNameField: 'acme__Course__c',
        progressField: ' acme__Enrollment__c.acme__Progress__c ',
        attemptField: 'acme__Attempt__c',
        enrollmentDateField: 'acme__Enrolled_On__c',
      });
      await flushPromises();

      const config = getRelatedListRecords.getLastConfig();
      expect(config.relatedListId).toBe('acme__Enrollments__r');
      expect(config.fields).toEqual([
        'acme__Enrollment__c.acme__Course__c',
        'acme__Enrollment__c.acme__Progress__c',
        'acme__Enrollment__c.acme__Attempt__c',
        'acme__Enrollment__c.acme__Enrolled_On__c',
      ]);
      expect(config.sortBy).toEqual(['-acme__Enrollment__c.acme__Enrolled_On__c']);
    });
  });

  describe('loading', () => {
    it('shows a spinner with a text alternative until the wire answers', () => {
      const element = createComponent();

      const spinner = $(element, 'lightning-spinner');
      expect(spinner).not.toBeNull();
      expect(spinner.alternativeText).toBe('Loading enrollments');
      expect($(element, '.enrollment')).toBeNull();
      expect($(element, '.empty')).toBeNull();
      expect($(element, '.error')).toBeNull();
    });

    it('is accessible', async () => {
      const element = createComponent();

      await expect(element).toBeAccessible();
    });
  });

  describe('with enrollments', () => {
    it('hides the spinner and lists the newest enrollments first', async () => {
      const element = await createWithData(ENROLLMENTS);

      expect($(element, 'lightning-spinner')).toBeNull();
      expect(courseNames(element)).toEqual([
        'Customer Education Onboarding',
        'Reporting Basics',
        'Permission Sets in Practice',
        'Data Loader Deep Dive',
        'Flow Builder Fundamentals',
      ]);
    });

    it('puts enrollments without a date last', async () => {
      const element = await createWithData(ENROLLMENTS, { rowLimit: 50 });

      const names = courseNames(element);
      expect(names).toHaveLength(7);
      expect(names[6]).toBe('Security Awareness 2026');
    });

    it('counts enrolled, in progress (above 0 and below 100) and completed (100) over all records', async () => {
      const element = await createWithData(ENROLLMENTS);

      // 7 records: 2 at 100 %, 3 between (40, 75, 99.6), 2 not started (0 and empty), which count only as enrolled.
      expect(countOf(element, 'enrolled')).toBe('7 enrolled');
      expect(countOf(element, 'inProgress')).toBe('3 in progress');
      expect(countOf(element, 'completed')).toBe('2 completed');
    });

    it('says the enrolled count is a lower bound when the server has more pages', async () => {
      const element = await createWithData({ ...ENROLLMENTS, nextPageToken: '200' });

      expect(countOf(element, 'enrolled')).toBe('7+ enrolled');
    });

    it('counts a page of many and shows only the newest rows, up to the row limit', async () => {
      const element = await createWithData(MANY_ENROLLMENTS);

      expect(countOf(element, 'enrolled')).toBe('25+ enrolled');
      expect(countOf(element, 'inProgress')).toBe('12 in progress');
      expect(countOf(element, 'completed')).toBe('9 completed');
      expect(courseNames(element)).toHaveLength(5);
    });

    it('shows progress as a bar with an accessible name and as text, rounded down', async () => {
      const element = await createWithData(ENROLLMENTS);

      const onboarding = rowById(element, 'a0B5g00000Enr002EA');
      const bar = onboarding.querySelector('lightning-progress-bar');
      expect(bar.value).toBe(40);
      expect(bar.ariaLabel).toBe('Customer Education Onboarding: 40% complete');
      expect(onboarding.querySelector('.percent').textContent).toBe('40%');

      const almostDone = rowById(element, 'a0B5g00000Enr005EA');
      expect(almostDone.querySelector('.percent').textContent).toBe('99%');
      expect(almostDone.querySelector('lightning-badge')).toBeNull();
    });

    it('shows a Completed badge only at 100%', async () => {
      const element = await createWithData(ENROLLMENTS);

      const badges = $$(element, 'lightning-badge');
      expect(badges.map((badge) => badge.label)).toEqual(['Completed']);
      expect(rowById(element, 'a0B5g00000Enr004EA').querySelector('lightning-badge').label).toBe('Completed');
      expect(rowById(element, 'a0B5g00000Enr004EA').querySelector('.percent').textContent).toBe('100%');
    });

    it('shows the attempt number and the enrollment date as a calendar day in the user locale', async () => {
      const element = await createWithData(ENROLLMENTS);

      const reporting = rowById(element, 'a0B5g00000Enr004EA');
      expect(reporting.querySelector('.attempt').textContent.replace(/\s+/g, ' ')).toBe('Attempt 2');
      const date = reporting.querySelector('lightning-formatted-date-time');
      expect(date.value).toBe('2026-01-20');
      expect({ year: date.year, month: date.month, day: date.day }).toEqual({
        year: 'numeric',
        month: 'short',
        day: 'numeric',
      });
      // A Date field's value is a day, not an instant: formatted in UTC it stays the same day everywhere.
      expect(date.timeZone).toBe('UTC');
    });

    it('leaves out the attempt and date of an enrollment that has none', async () => {
      const element = await createWithData(ENROLLMENTS, { rowLimit: 50 });

      const undated = rowById(element, 'a0B5g00000Enr006EA');
      expect(undated.querySelector('.attempt')).toBeNull();
      expect(undated.querySelector('lightning-formatted-date-time')).toBeNull();
      expect(undated.querySelector('.percent').textContent).toBe('0%');
    });

    it('is accessible', async () => {
      const element = await createWithData(ENROLLMENTS);

      await expect(element).toBeAccessible();
    });
  });

  describe('row limit', () => {
    it('shows 5 rows by default while counting every record', async () => {
      const element = await createWithData(ENROLLMENTS);

      expect($$(element, '.enrollment')).toHaveLength(5);
      expect(countOf(element, 'enrolled')).toBe('7 enrolled');
    });

    it('shows as many rows as the design attribute asks for, newest first', async () => {
      const element = await createWithData(ENROLLMENTS, { rowLimit: 2 });

      expect(courseNames(element)).toEqual(['Customer Education Onboarding', 'Reporting Basics']);
    });

    it('follows a change of the limit after the data arrived', async () => {
      const element = await createWithData(ENROLLMENTS, { rowLimit: 2 });

      element.rowLimit = 3;
      await flushPromises();

      expect($$(element, '.enrollment')).toHaveLength(3);
    });

    it.each([0, -1, 'many', null])('falls back to 5 rows for a limit of %p', async (rowLimit) => {
      const element = await createWithData(ENROLLMENTS, { rowLimit });

      expect($$(element, '.enrollment')).toHaveLength(5);
    });
  });

  describe('View all', () => {
    it('links to the full related list of the contact', async () => {
      const element = await createWithData(ENROLLMENTS);

      const link = $(element, 'a.view-all');
      expect(link.getAttribute('href')).toBe(
        `/lightning/r/Contact/${CONTACT_ID}/related/northpass__Enrollments__r/view`
      );
      expect(link.textContent).toBe('View all enrollments');
    });

    it('keeps a working link when no URL can be generated', async () => {
      generateUrl.mockRejectedValueOnce(new Error('No URL in this container'));
      const element = await createWithData(ENROLLMENTS);

      const link = $(element, 'a.view-all');
      expect(link.getAttribute('href')).toBe('#');
      link.click();
      expect(getNavigateCalledWith().pageReference.type).toBe('standard__recordRelationshipPage');
    });

    it('navigates to the related list page inside Lightning when clicked', async () => {
      const element = await createWithData(ENROLLMENTS, { relatedListId: 'acme__Enrollments__r' });

      const click = new MouseEvent('click', { bubbles: true, cancelable: true });
      $(element, 'a.view-all').dispatchEvent(click);

      expect(click.defaultPrevented).toBe(true);
      expect(getNavigateCallCount()).toBe(1);
      expect(getNavigateCalledWith().pageReference).toEqual({
        type: 'standard__recordRelationshipPage',
        attributes: {
          recordId: CONTACT_ID,
          objectApiName: 'Contact',
          relationshipApiName: 'acme__Enrollments__r',
          actionName: 'view',
        },
      });
    });
  });

  describe('without enrollments', () => {
    it('says that learners appear once Customer Education syncs them, with no counts and no View all', async () => {
      const element = await createWithData(NO_ENROLLMENTS);

      expect($(element, '.empty').textContent).toBe(
        'No enrollments yet — learners appear here once Customer Education syncs them'
      );
      expect($(element, '.summary')).toBeNull();
      expect($(element, '.enrollment')).toBeNull();
      expect($(element, 'a.view-all')).toBeNull();
      expect($(element, 'lightning-spinner')).toBeNull();
    });

    it('is accessible', async () => {
      const element = await createWithData(NO_ENROLLMENTS);

      await expect(element).toBeAccessible();
    });
  });

  describe('when the wire fails', () => {
    it('shows the messages of the UI API error body', async () => {
      const element = createComponent();
      getRelatedListRecords.error(INVALID_FIELD, 400, 'Bad Request');
      await flushPromises();

      const error = $(element, '.error');
      expect(error.getAttribute('role')).toBe('alert');
      expect($$(element, '.error-message').map((node) => node.textContent)).toEqual([
        "No such column 'northpass__Progress_Percentage__c' on entity 'northpass__Enrollment__c'.",
      ]);
      expect($(element, 'lightning-spinner')).toBeNull();
      expect($(element, '.enrollment')).toBeNull();
      expect($(element, 'a.view-all')).toBeNull();
    });

    it('falls back to the HTTP status text when the body has no message', async () => {
      const element = createComponent();
      getRelatedListRecords.error({}, 503, 'Service Unavailable');
      await flushPromises();

      expect($$(element, '.error-message').map((node) => node.textContent)).toEqual(['Service Unavailable']);
    });

    it('replaces earlier rows with the error when a later request fails', async () => {
      const element = await createWithData(ENROLLMENTS);

      getRelatedListRecords.error(INVALID_FIELD, 400, 'Bad Request');
      await flushPromises();

      expect($(element, '.enrollment')).toBeNull();
      expect($(element, '.error')).not.toBeNull();
    });

    it('is accessible', async () => {
      const element = createComponent();
      getRelatedListRecords.error(INVALID_FIELD, 400, 'Bad Request');
      await flushPromises();

      await expect(element).toBeAccessible();
    });
  });
});
