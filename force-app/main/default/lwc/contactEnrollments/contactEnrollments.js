import { LightningElement, api, wire } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { getRelatedListRecords } from 'lightning/uiRelatedListApi';
import { reduceErrors } from 'c/ldsErrors';
import { newestFirst, qualifiedFieldName, summarize, toEnrollment } from './enrollments';
import titleLabel from '@salesforce/label/c.CE_Enrollments_Title';
import loadingLabel from '@salesforce/label/c.CE_Enrollments_Loading';
import emptyLabel from '@salesforce/label/c.CE_Enrollments_Empty';
import errorHeadingLabel from '@salesforce/label/c.CE_Enrollments_Error_Heading';
import summaryLabel from '@salesforce/label/c.CE_Enrollments_Summary';
import enrolledLabel from '@salesforce/label/c.CE_Enrollments_Enrolled';
import inProgressLabel from '@salesforce/label/c.CE_Enrollments_In_Progress';
import completedLabel from '@salesforce/label/c.CE_Enrollments_Completed';
import listLabel from '@salesforce/label/c.CE_Enrollments_List';
import attemptLabel from '@salesforce/label/c.CE_Enrollments_Attempt';
import enrolledOnLabel from '@salesforce/label/c.CE_Enrollments_Enrolled_On';
import completedBadgeLabel from '@salesforce/label/c.CE_Enrollments_Completed_Badge';
import viewAllLabel from '@salesforce/label/c.CE_Enrollments_View_All';
import viewAllAssistiveLabel from '@salesforce/label/c.CE_Enrollments_View_All_Assistive';

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

// Custom Labels (force-app/main/default/labels), so an org that works in another language can translate them.
const LABELS = {
  title: titleLabel,
  loading: loadingLabel,
  empty: emptyLabel,
  errorHeading: errorHeadingLabel,
  summary: summaryLabel,
  enrolled: enrolledLabel,
  inProgress: inProgressLabel,
  completed: completedLabel,
  list: listLabel,
  attempt: attemptLabel,
  enrolledOn: enrolledOnLabel,
  completedBadge: completedBadgeLabel,
  viewAll: viewAllLabel,
  viewAllAssistive: viewAllAssistiveLabel,
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
