import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderEnvTable, renderPolicyMatrix, replaceSection } from './matrix-doc.ts';

const DOC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../docs/api.md');

describe('docs/api.md', () => {
  const document = readFileSync(DOC, 'utf8');

  it('holds the current role matrix', () => {
    expect(replaceSection(document, 'policy-matrix', renderPolicyMatrix()), 'run `pnpm --filter @metervision/cloud docs:api`').toBe(document);
  });

  it('holds the current variables', () => {
    expect(replaceSection(document, 'environment', renderEnvTable()), 'run `pnpm --filter @metervision/cloud docs:api`').toBe(document);
  });
});

describe('renderPolicyMatrix', () => {
  it('renders one line per row', () => {
    const table = renderPolicyMatrix([{ id: 'x', method: 'get', path: '/x', summary: 'X', source: { kind: 'platform' }, platform: ['platform_manager'] }]);
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('| `GET /x` | platform role | yes | yes | 403 | 403 | 403 | 403 | 403 |');
  });

  it('lists notes under the table', () => {
    const table = renderPolicyMatrix([{ id: 'x', method: 'post', path: '/x', summary: 'X', source: { kind: 'platform' }, note: 'Only on Mondays.' }]);
    expect(table.split('\n').at(-1)).toBe('- `POST /x`: Only on Mondays.');
  });
});
