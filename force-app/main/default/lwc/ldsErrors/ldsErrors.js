// Lightning Data Service reports failures in several shapes: a FetchResponse whose body is an object with a
// `message` (UI API), a body that is an array of `{ errorCode, message }` (UI API list and related-list
// resources), a body with record save errors, or a plain JavaScript Error. This turns any of them, or an array
// of them, into a list of messages a user can read.
// https://developer.salesforce.com/docs/platform/lwc/guide/data-error.html

import UNKNOWN from '@salesforce/label/c.CE_Unknown_Error';

function messagesOf(error) {
  if (!error) {
    return [];
  }
  if (typeof error === 'string') {
    return [error];
  }
  if (Array.isArray(error)) {
    return error.flatMap(messagesOf);
  }
  const { body } = error;
  if (Array.isArray(body)) {
    return body.flatMap(messagesOf);
  }
  if (body && typeof body === 'object') {
    const saveErrors = [
      ...(body.pageErrors || []),
      ...Object.values(body.fieldErrors || {}).flat(),
      ...(body.output ? body.output.errors || [] : []),
    ].flatMap(messagesOf);
    if (typeof body.message === 'string' && body.message) {
      return [body.message, ...saveErrors];
    }
    if (saveErrors.length > 0) {
      return saveErrors;
    }
  }
  if (typeof error.message === 'string' && error.message) {
    return [error.message];
  }
  if (typeof error.statusText === 'string' && error.statusText) {
    return [error.statusText];
  }
  return [UNKNOWN];
}

/**
 * @param {unknown} errors one error or an array of errors, in any shape LDS, Apex or the browser produces
 * @returns {string[]} the distinct messages, in order; empty when there is no error
 */
export function reduceErrors(errors) {
  return [...new Set(messagesOf(errors).filter((message) => message))];
}
