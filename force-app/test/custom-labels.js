// The project's Custom Labels as name → value, read from the labels file: the one reader for the jest setup,
// the labels test and the preview server. A label without a <value> maps to undefined.
const fs = require('node:fs');
const path = require('node:path');

const LABELS_FILE = path.join(__dirname, '..', 'main', 'default', 'labels', 'CustomLabels.labels-meta.xml');

const xmlText = (text) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function readCustomLabels(file = LABELS_FILE) {
  const labels = new Map();
  for (const [, block] of fs.readFileSync(file, 'utf8').matchAll(/<labels>([\s\S]*?)<\/labels>/g)) {
    const name = /<fullName>([^<]+)<\/fullName>/.exec(block)?.[1];
    if (!name) continue;
    const value = /<value>([\s\S]*?)<\/value>/.exec(block)?.[1];
    labels.set(name, value === undefined ? undefined : xmlText(value));
  }
  return labels;
}

module.exports = { readCustomLabels };
