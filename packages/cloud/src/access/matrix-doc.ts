import { ENV_VARIABLES } from '../config/env.ts';
import { POLICIES } from './policies.ts';
import type { PolicyRow } from './policy.ts';
import { MEMBERSHIP_ROLES, PLATFORM_ROLES } from './roles.ts';

const PLATFORM_LABELS: Record<string, string> = { super_admin: 'super admin', platform_manager: 'platform manager', user: 'user' };

function sourceLabel(row: PolicyRow): string {
  const source = row.source;
  switch (source.kind) {
    case 'public':
      return 'public';
    case 'device':
      return 'device (HTTP Basic)';
    case 'user':
      return 'any user; rows of own organizations';
    case 'platform':
      return 'platform role';
    case 'organization':
      return `organization from ${source.from} \`${source.field}\``;
    case 'resource':
      return `${source.resource} from ${source.from} \`${source.field}\``;
  }
}

function cell(row: PolicyRow, role: string, level: 'platform' | 'organization'): string {
  const kind = row.source.kind;
  if (kind === 'public' || kind === 'user') return 'yes';
  if (kind === 'device') return '-';

  if (level === 'organization') {
    if (kind === 'platform') return '403';
    return (row.organization ?? []).includes(role as never) ? 'yes' : '403';
  }

  if (role === 'super_admin' || (row.platform ?? []).includes(role as never)) return 'yes';
  return kind === 'platform' ? '403' : 'by membership';
}

/** Renders the route × role matrix of the policy table as a Markdown table. */
export function renderPolicyMatrix(rows: readonly PolicyRow[] = POLICIES): string {
  const roles = [...PLATFORM_ROLES.map((role) => ({ role, level: 'platform' as const })), ...MEMBERSHIP_ROLES.map((role) => ({ role, level: 'organization' as const }))];
  const header = ['Route', 'Organization from', ...roles.map(({ role, level }) => (level === 'platform' ? PLATFORM_LABELS[role]! : `org ${role}`))];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];

  for (const row of rows) {
    const cells = roles.map(({ role, level }) => cell(row, role, level));
    lines.push(`| ${routeLabel(row)} | ${sourceLabel(row)} | ${cells.join(' | ')} |`);
  }

  const notes = rows.filter((row) => row.note !== undefined);
  if (notes.length > 0) {
    lines.push('', 'Rules beyond the roles:', '');
    for (const row of notes) lines.push(`- ${routeLabel(row)}: ${row.note}`);
  }
  return lines.join('\n');
}

function routeLabel(row: PolicyRow): string {
  return `\`${row.method.toUpperCase()} ${row.path}\``;
}

/** Renders the environment variables as a Markdown table. */
export function renderEnvTable(): string {
  const lines = ['| Variable | Meaning |', '| --- | --- |'];
  for (const variable of ENV_VARIABLES) lines.push(`| \`${variable.name}\` | ${variable.description} |`);
  return lines.join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in `document`. */
export function replaceSection(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/api.md has no ${start} … ${end} section`);
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}
