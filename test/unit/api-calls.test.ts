import type { Connection } from '@salesforce/core';
import { countApiCalls } from '../../src/org/api-calls.js';

function fakeConnection(): { conn: Connection; transport: { httpRequest: (...args: unknown[]) => unknown } } {
  const transport = { httpRequest: (...args: unknown[]): unknown => ({ sent: args }) };
  return { conn: { _transport: transport } as unknown as Connection, transport };
}

describe('counting API calls', () => {
  it('counts every request through the connection transport and passes results through', () => {
    const { conn, transport } = fakeConnection();
    const counter = countApiCalls(conn);
    expect(counter.count).toBe(0);
    expect(transport.httpRequest({ url: '/a' })).toEqual({ sent: [{ url: '/a' }] });
    transport.httpRequest({ url: '/b' });
    expect(counter.count).toBe(2);
  });

  it('gives every caller the same counter for one connection, counting each request once', () => {
    const { conn, transport } = fakeConnection();
    const first = countApiCalls(conn);
    const second = countApiCalls(conn);
    transport.httpRequest({});
    expect(second).toBe(first);
    expect(first.count).toBe(1);
  });
});
