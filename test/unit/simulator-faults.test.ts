import { Faults, parseFaultSpec } from '../../simulator/faults.js';

describe('simulator faults', () => {
  it('reads the command-line form', () => {
    expect(parseFaultSpec('GET /query 503x2')).toEqual({
      method: 'GET',
      path: '/query',
      kind: '503',
      count: 2,
      rate: undefined,
      latencyMs: undefined,
    });
    expect(parseFaultSpec('* .* latency=250@0.5')).toMatchObject({ kind: 'latency', latencyMs: 250, rate: 0.5 });
  });

  it.each(['GET /query', 'GET /query teapot', 'GET ( 503', 'GET .* latency'])('rejects "%s"', (spec) => {
    expect(() => parseFaultSpec(spec)).toThrow(/Fault/);
  });

  it('applies a counted fault to matching requests only, then stops', () => {
    const faults = new Faults();
    faults.add('GET /tooling/query REQUEST_LIMIT_EXCEEDEDx1');
    expect(faults.apply('GET', '/services/data/v62.0/query', 'rest').response).toBeUndefined();
    expect(faults.apply('POST', '/services/data/v62.0/tooling/query', 'tooling').response).toBeUndefined();
    const hit = faults.apply('GET', '/services/data/v62.0/tooling/query', 'tooling').response;
    expect(hit?.status).toBe(403);
    expect(hit?.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect(faults.apply('GET', '/services/data/v62.0/tooling/query', 'tooling').response).toBeUndefined();
  });

  it('hits at the given rate', () => {
    const draws = [0.9, 0.1];
    const faults = new Faults(() => draws.shift() ?? 1);
    faults.add({ kind: '503', rate: 0.5 });
    expect(faults.apply('GET', '/x', 'rest').response).toBeUndefined();
    expect(faults.apply('GET', '/x', 'rest').response?.status).toBe(503);
  });
});
