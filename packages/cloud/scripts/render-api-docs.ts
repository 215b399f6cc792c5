// Rewrites the generated sections of docs/api.md (role matrix, environment variables) from the
// policy table and the configuration code. `src/access/matrix-doc.test.ts` fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEnvTable, renderPolicyMatrix, replaceSection } from '../src/access/matrix-doc.ts';

const path = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/api.md');
let document = readFileSync(path, 'utf8');
document = replaceSection(document, 'policy-matrix', renderPolicyMatrix());
document = replaceSection(document, 'environment', renderEnvTable());
writeFileSync(path, document);
process.stdout.write(`Updated ${path}\n`);
