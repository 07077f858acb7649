import { LightningElement, api, wire } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { getRelatedListRecords } from 'lightning/uiRelatedListApi';
import { reduceErrors } from 'c/ldsErrors';
import { newestFirst, qualifiedFieldName, summarize, toEnrollment } from './enrollments';

// The defaults are those of config/ce-connect.json (`enrollment`). The package namespace differs per org, so
// every name is a design attribute an admin can change in App Builder.
const DEFAULTS = {
  relatedListId: 'northpass__Enrollments__r',
  enrollmentObject: 'northpass__Enrollment__c',
  courseNameField: 'northpass__Course_Name__c',
  progressField: 'northpass__Progress_Percentage__c',
  attemptField: 'northpass__Course_Attempt_Number__c',
  enrollmentDateField: 'northpass__Enrollment_Date__c',
  rowLimit: 5,
};

// The counts cover one page of records. A contact rarely has more enrollments than this; if one does, the
// newest PAGE_SIZE are counted and the header says "200+ enrolled".
const PAGE_SIZE = 200;

const LABELS = {
  title: 'Enrollments',
  loading: 'Loading enrollments',
  empty: 'No enrollments yet — learners appear here once Customer Education syncs them',
  errorHeading: 'Enrollments could not be loaded.',
  summary: 'Enrollment summary',
  enrolled: 'enrolled',
  inProgress: 'in progress',
  completed: 'completed',
  list: 'Enrollments, newest first',
  attempt: 'Attempt',
  enrolledOn: 'Enrolled',
  completedBadge: 'Completed',
  viewAll: 'View all',
  viewAllAssistive: 'enrollments',
};

export default class ContactEnrollments extends NavigationMixin(LightningElement) {
  /** Set by the record page. */
  @api recordId;

  @api relatedListId = DEFAULTS.relatedListId;
  @api enrollmentObject = DEFAULTS.enrollmentObject;
  @api courseNameField = DEFAULTS.courseNameField;
  @api progressField = DEFAULTS.progressField;
  @api attemptField = DEFAULTS.attemptField;
  @api enrollmentDateField = DEFAULTS.enrollmentDateField;
  @api rowLimit = DEFAULTS.rowLimit;

  labels = LABELS;
  result;
  error;
  /** The records as rows, newest first. */
  enrollments = [];
  viewAllUrl;

  get fieldNames() {
    return [this.courseNameField, this.progressField, this.attemptField, this.enrollmentDateField].map((field) =>
      qualifiedFieldName(this.enrollmentObject, field)
    );
  }

  /** Newest first on the server too, so the page of PAGE_SIZE records holds the newest ones. */
  get sortBy() {
    return [`-${qualifiedFieldName(this.enrollmentObject, this.enrollmentDateField)}`];
  }

  @wire(getRelatedListRecords, {
    parentRecordId: '$recordId',
    relatedListId: '$relatedListId',
    fields: '$fieldNames',
    sortBy: '$sortBy',
    pageSize: PAGE_SIZE,
  })
  wiredEnrollments({ data, error }) {
    if (data) {
      this.result = data;
      this.error = undefined;
      this.enrollments = this.toRows(data.records || []);
      this.generateViewAllUrl();
    } else if (error) {
      this.result = undefined;
      this.error = error;
      this.enrollments = [];
    }
    // Neither: the adapter has not answered yet, which the template shows as loading.
  }

  get isLoading() {
    return !this.result && !this.error;
  }

  get errorMessages() {
    return reduceErrors(this.error);
  }

  toRows(records) {
    const fields = {
      objectApiName: this.enrollmentObject,
      courseName: this.courseNameField,
      progress: this.progressField,
      attempt: this.attemptField,
      enrollmentDate: this.enrollmentDateField,
    };
    // The server was asked for this order, but a cached or merged response need not keep it.
    return records.map((record) => toEnrollment(record, fields)).sort(newestFirst);
  }

  get isEmpty() {
    return Boolean(this.result) && this.enrollments.length === 0;
  }

  get hasEnrollments() {
    return Boolean(this.result) && this.enrollments.length > 0;
  }

  get limit() {
    const limit = Number.parseInt(this.rowLimit, 10);
    return Number.isInteger(limit) && limit > 0 ? limit : DEFAULTS.rowLimit;
  }

  get rows() {
    return this.enrollments.slice(0, this.limit);
  }

  get counts() {
    const counts = summarize(this.enrollments);
    const more = Boolean(this.result && this.result.nextPageToken);
    return { ...counts, enrolled: more ? `${counts.enrolled}+` : String(counts.enrolled) };
  }

  get viewAllPageReference() {
    return {
      type: 'standard__recordRelationshipPage',
      attributes: {
        recordId: this.recordId,
        objectApiName: 'Contact',
        relationshipApiName: this.relatedListId,
        actionName: 'view',
      },
    };
  }

  // Until the URL is known, or where it cannot be generated, the link still works by click and keyboard.
  get viewAllHref() {
    return this.viewAllUrl || '#';
  }

  generateViewAllUrl() {
    this[NavigationMixin.GenerateUrl](this.viewAllPageReference)
      .then((url) => {
        this.viewAllUrl = url;
      })
      .catch(() => {
        this.viewAllUrl = undefined;
      });
  }

  handleViewAll(event) {
    // The href lets users open the list in a new tab; a plain click navigates inside Lightning.
    event.preventDefault();
    this[NavigationMixin.Navigate](this.viewAllPageReference);
  }
}
