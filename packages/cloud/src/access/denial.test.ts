import { describe, expect, it } from 'vitest';
import { formatRoles, membershipDenial, platformDenial } from './denial.ts';
import { POLICIES, findPolicy } from './policies.ts';

// A policy summary must read as a verb phrase after "cannot": a known verb, then no second clause.
const VERBS = ['add', 'change', 'complete', 'create', 'get', 'issue', 'list', 'register', 'remove', 'revoke', 'run', 'start', 'upload'];
const ACTION = `(${VERBS.join('|')}) [^;.]*`;

describe('access denial messages', () => {
  it('joins role names', () => {
    expect(formatRoles(['admin'])).toBe('admin');
    expect(formatRoles(['admin', 'manager'])).toBe('admin or manager');
    expect(formatRoles(['admin', 'manager', 'installer'])).toBe('admin, manager or installer');
  });

  it('names the needed membership roles', () => {
    const row = findPolicy('post', '/projects/')!;
    expect(membershipDenial(row, 'viewer', 1)).toBe('Your role viewer in organization 1 cannot create a project: that needs admin or manager.');
  });

  it('names the needed platform roles', () => {
    expect(platformDenial(findPolicy('get', '/api/users/')!, 'user')).toBe(
      'Your platform role user cannot list all users: that needs the platform role platform_manager or super_admin.',
    );
    expect(platformDenial(findPolicy('post', '/api/organizations/')!, 'platform_manager')).toBe(
      'Your platform role platform_manager cannot create an organization: that needs the platform role super_admin.',
    );
  });

  it.each(POLICIES.filter((row) => row.source.kind === 'organization' || row.source.kind === 'resource').map((row) => [row.id, row] as const))(
    'reads as a sentence for %s',
    (_id, row) => {
      expect(membershipDenial(row, 'viewer', 7)).toMatch(new RegExp(`^Your role viewer in organization 7 cannot ${ACTION}: that needs [a-z_, ]+\\.$`));
    },
  );

  it.each(POLICIES.filter((row) => row.source.kind === 'platform').map((row) => [row.id, row] as const))('reads as a sentence for %s', (_id, row) => {
    expect(platformDenial(row, 'user')).toMatch(new RegExp(`^Your platform role user cannot ${ACTION}: that needs the platform role [a-z_, ]+\\.$`));
  });
});
