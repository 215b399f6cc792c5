/** Platform-wide role of a user account. */
export const PLATFORM_ROLES = ['super_admin', 'platform_manager', 'user'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** Role of a user inside one organization (one membership). */
export const MEMBERSHIP_ROLES = ['admin', 'manager', 'installer', 'viewer'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];
