import type { Seed, SeededOrganization } from './seed.ts';
import type { TestApp } from './app.ts';

/** What a matrix request builder gets: the app, the seed and the organization to act on. */
export interface MatrixContext {
  api: TestApp;
  data: Seed;
  /** The organization the request acts on: the caller's own, or the other tenant. */
  org: SeededOrganization;
  /** A number unique to this request, for names that must not collide. */
  n: number;
  /** A small PNG photo for upload routes. */
  photo: Buffer;
  /** Id of a stored reading with an image, per organization id. */
  readingIds: Map<number, string>;
}

/** One request of the access matrix. */
export interface MatrixCall {
  method: string;
  path: string;
  json?: unknown;
  body?: FormData | URLSearchParams;
  /** Extra headers; an `authorization` header here replaces the caller's bearer token (device routes). */
  headers?: Record<string, string>;
  /** Status of a permitted call. */
  ok: number;
}

/**
 * Request builders by policy id. `src/access/matrix.test.ts` loads every `*.matrix.ts` file and
 * every `testing/matrix-calls.ts` under `src/`, merges each export whose name ends with
 * `MATRIX_CALLS`, and calls each row of the policy table as every role.
 */
export type MatrixCalls = Record<string, (context: MatrixContext) => MatrixCall | Promise<MatrixCall>>;
