import type { Connection } from '@salesforce/core';
import { parseLimitInfo } from '../../src/org/api-calls.js';
import { type Clock, useClock } from '../../src/org/clock.js';
import { isIdempotentRead, retryReads } from '../../src/org/read-retries.js';
import { stopKind } from '../../src/core/stops.js';

type Answer = { statusCode: number; body?: string };
type Request = { method: string; url: string; body?: string };

/** A connection whose transport answers from a list, and a clock whose sleeps only move it on. */
function fakeConnection(answers: Array<Answer | { error: Error }>): {
  conn: Connection;
  sent: Array<{ request: Request; options: unknown }>;
} {
  const sent: Array<{ request: Request; options: unknown }> = [];
  const transport = {
    httpRequest: (request: Request, options: unknown) => {
      sent.push({ request, options });
      const next = answers.shift() ?? { statusCode: 200 };
      const pending = 'error' in next ? Promise.reject(next.error) : Promise.resolve(next);
      return Object.assign(pending, { stream: () => 'first stream' });
    },
  };
  return { conn: { _transport: transport } as unknown as Connection, sent };
}

let time = 1_000_000;
const slept: number[] = [];
const testClock: Clock = {
  now: () => time,
  sleep: async (ms) => {
    slept.push(ms);
    time += ms;
  },
};
let restore: () => void;
beforeEach(() => {
  slept.length = 0;
  restore = useClock(testClock);
});
afterEach(() => restore());

const send = (conn: Connection, request: Request, options: unknown = {}): Promise<Answer> & { stream(): unknown } =>
  (
    conn as unknown as {
      _transport: { httpRequest: (r: Request, o: unknown) => Promise<Answer> & { stream(): unknown } };
    }
  )._transport.httpRequest(request, options);

describe('retryReads', () => {
  it('retries a GET answered 503 with growing, capped waits and hands back the answer', async () => {
    const { conn, sent } = fakeConnection([{ statusCode: 503 }, { statusCode: 502 }, { statusCode: 200 }]);
    const retries = retryReads(conn, { attempts: 5, firstMs: 1000, maxMs: 1500 });
    const answer = await send(conn, { method: 'GET', url: '/query' });
    expect(answer.statusCode).toBe(200);
    expect(sent).toHaveLength(3);
    expect(retries.retried).toBe(2);
    // Full jitter over half the window: 500–1000 ms, then 750–1500 ms (the cap).
    expect(slept[0]).toBeGreaterThanOrEqual(500);
    expect(slept[0]).toBeLessThanOrEqual(1000);
    expect(slept[1]).toBeGreaterThanOrEqual(750);
    expect(slept[1]).toBeLessThanOrEqual(1500);
    // jsforce's own retries are off for each attempt.
    expect(sent.every((s) => (s.options as { retry?: { maxRetries?: number } }).retry?.maxRetries === 0)).toBe(true);
  });

  it('returns the last transient answer when the attempts run out, for jsforce to report', async () => {
    const { conn, sent } = fakeConnection([{ statusCode: 503 }, { statusCode: 503 }, { statusCode: 503 }]);
    retryReads(conn, { attempts: 3, firstMs: 10, maxMs: 10 });
    expect((await send(conn, { method: 'GET', url: '/query' })).statusCode).toBe(503);
    expect(sent).toHaveLength(3);
  });

  it('does not wait past the deadline the command set', async () => {
    const { conn, sent } = fakeConnection([{ statusCode: 503 }, { statusCode: 200 }]);
    const retries = retryReads(conn, { attempts: 5, firstMs: 1000, maxMs: 1000 });
    retries.until(time + 100);
    expect((await send(conn, { method: 'GET', url: '/query' })).statusCode).toBe(503);
    expect(sent).toHaveLength(1);
    expect(slept).toEqual([]);
  });

  it('retries a dropped connection, not another failure', async () => {
    const dropped = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const { conn, sent } = fakeConnection([{ error: dropped }, { statusCode: 200 }]);
    retryReads(conn, { attempts: 5, firstMs: 10, maxMs: 10 });
    expect((await send(conn, { method: 'GET', url: '/query' })).statusCode).toBe(200);
    expect(sent).toHaveLength(2);

    const other = fakeConnection([{ error: new Error('certificate has expired') }]);
    retryReads(other.conn, { attempts: 5, firstMs: 10, maxMs: 10 });
    await expect(send(other.conn, { method: 'GET', url: '/query' })).rejects.toThrow('certificate has expired');
    expect(other.sent).toHaveLength(1);
  });

  it('never retries a write, nor a request whose caller turned retries off', async () => {
    const { conn, sent } = fakeConnection([{ statusCode: 503 }, { statusCode: 503 }]);
    retryReads(conn, { attempts: 5, firstMs: 10, maxMs: 10 });
    expect((await send(conn, { method: 'POST', url: '/sobjects/Account', body: '{}' })).statusCode).toBe(503);
    expect((await send(conn, { method: 'GET', url: '/query' }, { retry: { maxRetries: 0 } })).statusCode).toBe(503);
    expect(sent).toHaveLength(2);
  });

  it('retries a Metadata API read answered with the SOAP fault SERVER_UNAVAILABLE', async () => {
    const fault =
      '<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>sf:SERVER_UNAVAILABLE</faultcode><faultstring>down</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
    const { conn, sent } = fakeConnection([{ statusCode: 500, body: fault }, { statusCode: 200 }]);
    retryReads(conn, { attempts: 5, firstMs: 10, maxMs: 10 });
    const body = '<soapenv:Body><checkDeployStatus xmlns="http://soap.sforce.com/2006/04/metadata"><asyncProcessId>0Af';
    expect((await send(conn, { method: 'POST', url: '/services/Soap/m/65.0', body })).statusCode).toBe(200);
    expect(sent).toHaveLength(2);
  });

  it('installs once per connection and keeps the first attempt’s stream for jsforce', () => {
    const { conn } = fakeConnection([]);
    expect(retryReads(conn)).toBe(retryReads(conn));
    expect(send(conn, { method: 'GET', url: '/query' }).stream()).toBe('first stream');
  });
});

describe('isIdempotentRead', () => {
  it.each([
    ['GET', undefined, true],
    ['HEAD', undefined, true],
    ['PATCH', '{}', false],
    ['DELETE', undefined, false],
    ['POST', '<met:checkRetrieveStatus><met:asyncProcessId>09S', true],
    ['POST', '<listMetadata xmlns="http://soap.sforce.com/2006/04/metadata">', true],
    ['POST', '<deploy xmlns="http://soap.sforce.com/2006/04/metadata">', false],
    ['POST', '<retrieve xmlns="http://soap.sforce.com/2006/04/metadata">', false],
  ])('%s %s → %s', (method, body, expected) => {
    expect(isIdempotentRead({ method, url: '/x', body })).toBe(expected);
  });
});

describe('stops and usage', () => {
  it('reads the API usage from Sforce-Limit-Info', () => {
    expect(parseLimitInfo('api-usage=25/15000')).toEqual({ used: 25, limit: 15000 });
    expect(parseLimitInfo('per-app-api-usage=17/250(appName=sample),api-usage=40/5000')).toEqual({
      used: 40,
      limit: 5000,
    });
    expect(parseLimitInfo(undefined)).toBeUndefined();
  });

  it('names an org that stays unavailable as its own stop', () => {
    expect(stopKind({ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable' })).toBe(
      'unavailable'
    );
    expect(stopKind({ errorCode: 'sf:SERVER_UNAVAILABLE' })).toBe('unavailable');
    expect(stopKind({ name: 'ERROR_HTTP_503' })).toBe('unavailable');
    expect(stopKind({ message: 'HTTP response contains html content.\nHTTP status code: 502.' })).toBe('unavailable');
    expect(stopKind({ name: 'ERROR_HTTP_500', message: 'HTTP status code: 500.' })).toBeUndefined();
  });
});
