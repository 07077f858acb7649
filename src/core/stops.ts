/**
 * Why an org operation stopped, when the cause is the org or the network rather than the operation itself: the
 * org's daily API allowance is used up (REQUEST_LIMIT_EXCEEDED, "TotalRequests Limit exceeded."), the session
 * ended (INVALID_SESSION_ID, "Session expired or invalid"), or the connection dropped (Node's fetch fails with
 * "fetch failed" and a socket error code as its cause), or the org kept answering that it is unavailable (502, 503
 * or 504, or the SOAP fault SERVER_UNAVAILABLE) after the reads were retried. Each of these leaves the work done so far in place, and
 * each has one way on, so the command says it instead of the bare error.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export type StopKind = 'api-limit' | 'session' | 'network' | 'unavailable';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

type ErrorLike = { name?: unknown; errorCode?: unknown; code?: unknown; message?: unknown; cause?: unknown };

export function stopKind(error: unknown, depth = 0): StopKind | undefined {
  if (!error || typeof error !== 'object' || depth > 4) return undefined;
  const e = error as ErrorLike;
  // SOAP faults (the Metadata API) name their code with the sf: prefix: sf:REQUEST_LIMIT_EXCEEDED.
  const codes = [e.errorCode, e.name, e.code]
    .filter((c): c is string => typeof c === 'string')
    .map((c) => c.replace(/^sf:/, ''));
  const message = typeof e.message === 'string' ? e.message : '';
  if (codes.includes('REQUEST_LIMIT_EXCEEDED') || /TotalRequests Limit exceeded/i.test(message)) return 'api-limit';
  if (codes.includes('INVALID_SESSION_ID') || /Session expired or invalid/i.test(message)) return 'session';
  if (codes.some((c) => NETWORK_CODES.has(c)) || message === 'fetch failed') return 'network';
  // jsforce names an HTTP failure ERROR_HTTP_<status>, and says "HTTP status code: <status>" for an HTML answer.
  if (
    codes.some((c) => c === 'SERVER_UNAVAILABLE' || /^ERROR_HTTP_50[234]$/.test(c)) ||
    /HTTP status code: 50[234]\b/.test(message)
  )
    return 'unavailable';
  return stopKind(e.cause, depth + 1);
}

const SECRET_FLAGS = new Set(['--installation-key', '-k']);

/** The command line as the admin typed it, with secrets replaced, to repeat in a message. */
export function commandLine(bin: string, commandId: string, argv: string[]): string {
  const words = commandId.split(':').filter((w, i) => !(i === 0 && w === 'ce'));
  const shown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag] = arg.split('=', 1);
    if (SECRET_FLAGS.has(flag)) {
      shown.push(arg.includes('=') ? `${flag}=<key>` : arg, ...(arg.includes('=') ? [] : ['<key>']));
      if (!arg.includes('=')) i++;
      continue;
    }
    shown.push(/[\s"'$`]/.test(arg) ? `'${arg.replace(/'/g, `'\\''`)}'` : arg);
  }
  return [bin, ...words, ...shown].join(' ');
}

/** The org a command line names with -o/--target-org, if any. */
export function targetOrgOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-o' || arg === '--target-org') return argv[i + 1];
    if (arg.startsWith('--target-org=')) return arg.slice('--target-org='.length);
    if (arg.startsWith('-o') && arg.length > 2) return arg.slice(2);
  }
  return undefined;
}
