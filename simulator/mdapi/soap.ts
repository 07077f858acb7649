// Reading Metadata API SOAP requests and writing their responses. Clients (jsforce, so @salesforce/core and
// SDR) POST an envelope to /services/Soap/m/<version> with SOAPAction "" and the session id in
// SessionHeader; the body holds one element named after the operation.
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_calls_intro.htm
import { XMLParser } from 'fast-xml-parser';
import { SimError } from '../errors.js';
import type { SimResponse } from '../types.js';

export type SoapCall = { operation: string; params: Record<string, unknown> };

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  // Keep every value a string: "62.0" must not become 62, "true" stays for the caller to read.
  parseTagValue: false,
  trimValues: true,
});

/** The operation and its parameters, or INVALID_XML like the real endpoint when the envelope is unreadable. */
export function readSoapCall(text: string): SoapCall {
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text, true) as Record<string, unknown>;
  } catch (error) {
    throw new SimError(500, 'INVALID_XML', `The request is not a SOAP envelope: ${(error as Error).message}`);
  }
  const envelope = parsed.Envelope as Record<string, unknown> | undefined;
  const body = envelope?.Body as Record<string, unknown> | undefined;
  const operation = body ? Object.keys(body)[0] : undefined;
  if (!body || !operation) throw new SimError(500, 'INVALID_XML', 'The SOAP envelope has no body.');
  const params = body[operation];
  return {
    operation,
    params: typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {},
  };
}

/** A value that may be one element or several, as a list. */
export function asArray<T>(value: T | T[] | undefined | null | ''): T[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

export function asText(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

export function asBoolean(value: unknown, fallback = false): boolean {
  if (value === undefined || value === null || value === '') return fallback;
  return String(value).toLowerCase() === 'true';
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain values and nested records as XML elements (arrays repeat the element), in the order given. */
export function toXml(value: unknown, name: string): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => toXml(v, name)).join('');
  if (value === null) return `<${name} xsi:nil="true"/>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(v, k))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<operationResponse><result>…</result></operationResponse>` in a SOAP envelope, one result element per item. */
export function soapResult(operation: string, results: unknown[]): SimResponse {
  return soapResultXml(operation, results.map((r) => toXml(r, 'result')).join(''));
}

/** A SOAP response whose body (inside `<operationResponse>`) is given as XML, for results with typed elements. */
export function soapResultXml(operation: string, body: string): SimResponse {
  return {
    status: 200,
    contentType: 'text/xml; charset=utf-8',
    body:
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<soapenv:Body><${operation}Response>${body}</${operation}Response></soapenv:Body></soapenv:Envelope>`,
  };
}
