// A local preview of contactEnrollments without an org: the component and its helpers compiled by the open-source
// LWC compiler on request, small stand-ins for the base components it uses (preview/lightning/), the Lightning
// Design System stylesheet, and a getRelatedListRecords stand-in that serves the jest fixtures. Each module is
// compiled alone and the browser links them through an import map, so there is no bundler (and no platform
// binary) to install.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from '@lwc/compiler';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const LWC_DIR = join(ROOT, 'force-app', 'main', 'default', 'lwc');
const FIXTURES = join(LWC_DIR, 'contactEnrollments', '__tests__', 'data');

/** Where each namespace's modules come from: the project's components, and the preview's base components. */
const NAMESPACES: Record<string, string> = { c: LWC_DIR, lightning: join(ROOT, 'preview', 'lightning') };

/** The states the preview can show, and the fixture the wire adapter stand-in answers with. */
export const STATES = {
  data: { title: 'Enrollments', fixture: 'enrollments.json' },
  many: { title: 'A page of many, more on the server', fixture: 'enrollmentsMany.json' },
  empty: { title: 'No enrollments yet', fixture: 'enrollmentsEmpty.json' },
  error: { title: 'The related list cannot be read', fixture: 'invalidFieldError.json', status: 400 },
  loading: { title: 'Still loading', fixture: undefined },
} as const satisfies Record<string, { title: string; fixture: string | undefined; status?: number }>;

export type PreviewState = keyof typeof STATES;

// The contact the page stands for: the record the fixtures were recorded for.
const RECORD_ID = '0035g00000XyZaBAAV';

const SLDS = join(dirname(require.resolve('@salesforce-ux/design-system/package.json')), 'assets');
const ENGINE = require.resolve('@lwc/engine-dom').replace(/index\.cjs\.js$/, 'index.js');
const SYNTHETIC_SHADOW = require.resolve('@lwc/synthetic-shadow').replace(/index\.cjs\.js$/, 'index.js');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

type Answer = { status: number; type: string; body: string | Buffer; location?: string };

const js = (body: string): Answer => ({ status: 200, type: 'text/javascript; charset=utf-8', body });
const notFound = (what: string): Answer => ({ status: 404, type: 'text/plain; charset=utf-8', body: `${what}\n` });

// The engine's browser build reads process.env.NODE_ENV, which a bundler would replace; so does this server.
function browserBuild(path: string): string {
  return readFileSync(path, 'utf8').replace(/process\.env\.NODE_ENV/g, '"development"');
}

// The same reader the jest setup uses (CommonJS, beside it), called on each request so an edited label shows on
// reload.
const { readCustomLabels } = require('../force-app/test/custom-labels.js') as {
  readCustomLabels: () => Map<string, string | undefined>;
};

/** A file under a folder, or undefined for a path that leaves it. */
function inside(folder: string, path: string): string | undefined {
  const full = normalize(join(folder, path));
  return full === folder || full.startsWith(folder + sep) ? full : undefined;
}

/**
 * /m/<namespace>/<component>[/<file>]: a module of a component bundle, compiled. A bare component URL is
 * redirected to its main file, so relative imports inside it (./enrollments, ./x.html) resolve in its folder.
 */
function moduleAnswer(path: string): Answer {
  const [namespace, name, ...rest] = path.split('/');
  const root = NAMESPACES[namespace];
  // A component name is an identifier: nothing else reaches the file system or the redirect header.
  if (!root || !/^[A-Za-z]\w*$/.test(name ?? '')) return notFound(`no component ${namespace}/${name ?? ''}`);
  if (rest.length === 0) {
    return { status: 302, type: 'text/plain', body: '', location: `/m/${namespace}/${name}/${name}.js` };
  }
  const file = inside(join(root, name), rest.join('/'));
  if (!file) return notFound(path);
  const ext = extname(file);
  // An import without an extension (./enrollments) is a JavaScript module of the bundle.
  const source = ext === '' ? `${file}.js` : file;
  if (!existsSync(source)) {
    // The compiled template imports its bundle's stylesheets whether or not they exist; a missing one is empty.
    if (ext === '.css') return js('export default undefined;\n');
    return notFound(relative(ROOT, source));
  }
  const { code } = transformSync(readFileSync(source, 'utf8'), basename(source), { name, namespace });
  return js(code);
}

function fixtureAnswer(state: string): Answer {
  const known = STATES[state as PreviewState];
  if (!known || !known.fixture) return notFound(`no fixture for state ${state}`);
  const body = JSON.parse(readFileSync(join(FIXTURES, known.fixture), 'utf8')) as unknown;
  const answer =
    'status' in known
      ? { error: { body, status: known.status, statusText: 'Bad Request' } }
      : { data: body as Record<string, unknown> };
  return { status: 200, type: 'application/json', body: JSON.stringify(answer) };
}

const IMPORT_MAP = {
  imports: {
    lwc: '/lwc.js',
    'c/': '/m/c/',
    'lightning/': '/m/lightning/',
    '@salesforce/label/': '/labels/',
  },
};

function page(state: PreviewState): string {
  const links = Object.entries(STATES)
    .map(
      ([name, { title }]) =>
        `<li class="slds-m-right_medium"><a href="/?state=${name}"${name === state ? ' aria-current="page"' : ''}>${title}</a></li>`
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>contactEnrollments preview: ${STATES[state].title}</title>
<link rel="stylesheet" href="/slds/styles/salesforce-lightning-design-system.min.css">
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
</head>
<body class="slds-scope">
<header class="slds-p-around_medium">
<h1 class="slds-text-heading_medium">contactEnrollments preview</h1>
<nav aria-label="Preview states"><ul class="slds-list_horizontal">${links}</ul></nav>
</header>
<main class="slds-p-horizontal_medium" style="max-width: 32rem">
<div id="root" data-state="${state}"></div>
<p id="navigated" class="slds-text-body_small slds-m-top_small" role="status"></p>
</main>
<script type="module">
// Synthetic shadow first, as Lightning Experience runs it, so the page's SLDS stylesheet reaches into components.
import '/synthetic-shadow.js';
window.addEventListener('preview-navigate', (event) => {
  document.getElementById('navigated').textContent = 'View all opens ' + event.detail.url;
});
const { createElement } = await import('lwc');
const { default: ContactEnrollments } = await import('c/contactEnrollments');
const element = createElement('c-contact-enrollments', { is: ContactEnrollments });
element.recordId = ${JSON.stringify(RECORD_ID)};
document.getElementById('root').appendChild(element);
document.documentElement.dataset.ready = 'true';
</script>
</body>
</html>
`;
}

function answer(url: URL): Answer {
  const path = decodeURIComponent(url.pathname);
  if (path === '/') {
    const state = (url.searchParams.get('state') ?? 'data') as PreviewState;
    if (!(state in STATES)) return notFound(`no state ${state}: ${Object.keys(STATES).join(', ')}`);
    return { status: 200, type: 'text/html; charset=utf-8', body: page(state) };
  }
  if (path === '/lwc.js') return js(browserBuild(ENGINE));
  if (path === '/synthetic-shadow.js') return js(browserBuild(SYNTHETIC_SHADOW));
  if (path.startsWith('/m/')) return moduleAnswer(path.slice(3));
  if (path.startsWith('/fixtures/')) return fixtureAnswer(path.slice('/fixtures/'.length));
  if (path.startsWith('/labels/c.')) {
    const name = path.slice('/labels/c.'.length);
    const value = readCustomLabels().get(name);
    return value === undefined ? notFound(`no label ${name}`) : js(`export default ${JSON.stringify(value)};\n`);
  }
  if (path.startsWith('/slds/')) {
    const file = inside(SLDS, path.slice('/slds/'.length));
    if (!file || !existsSync(file) || !statSync(file).isFile()) return notFound(path);
    return { status: 200, type: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) };
  }
  return notFound(path);
}

export type Preview = { url: string; stop(): Promise<void> };

/** Serves the preview on 127.0.0.1 (port 0: any free port). */
export async function startPreview(port = 0): Promise<Preview> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    try {
      const reply = answer(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.writeHead(reply.status, {
        'Content-Type': reply.type,
        'Cache-Control': 'no-store',
        ...(reply.location ? { Location: reply.location } : {}),
      });
      res.end(reply.body);
    } catch (error) {
      // A compile error is shown where the developer looks: the browser console names the failed module.
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`${String(error)}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
