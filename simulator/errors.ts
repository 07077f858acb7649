import type { SfErrorBody, SimResponse } from './types.js';

/**
 * A Salesforce API error. REST answers it as `[{"message","errorCode","fields"}]` with the HTTP status
 * Salesforce uses for it (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm).
 */
export class SimError extends Error {
  public constructor(
    public readonly status: number,
    public readonly errorCode: string,
    message: string,
    public readonly fields?: string[]
  ) {
    super(message);
    this.name = 'SimError';
  }

  public toBody(): SfErrorBody {
    return this.fields
      ? { message: this.message, errorCode: this.errorCode, fields: this.fields }
      : { message: this.message, errorCode: this.errorCode };
  }
}

export function errorResponse(status: number, errorCode: string, message: string): SimResponse {
  return { status, body: [{ message, errorCode }] };
}

export const invalidType = (name: string): SimError =>
  new SimError(
    400,
    'INVALID_TYPE',
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
  );

export const notFound = (): SimError => new SimError(404, 'NOT_FOUND', 'The requested resource does not exist');

/**
 * A SOAP fault as the Metadata API sends it (HTTP 500), for example for an invalid session:
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_calls_intro.htm
 */
export function soapFault(faultCode: string, message: string): SimResponse {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status: 500,
    contentType: 'text/xml; charset=utf-8',
    body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault><faultcode>sf:${faultCode}</faultcode><faultstring>${faultCode}: ${escaped}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
  };
}
