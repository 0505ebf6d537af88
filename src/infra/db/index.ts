/**
 * The relational store: users, sessions, sign-in attempts, rate limits, the audit log and the agency directory, on
 * PostgreSQL (`DATABASE_URL`) or the embedded PGlite under `<dataDir>/db`. `openStore` is the one place the
 * choice is made; everything else takes the `Database` or a repository.
 */
import path from 'node:path';
import { agencyDirectoryRepository } from './agency-directory';
import { pageNoteRepository } from './page-notes';
import { randomPassword } from './passwords';
import { checkPassword, signInWithOidc, signInWithPassword } from './sign-in';
import { auditRepository } from './audit';
import { systemClock, type Clock, type Database } from './database';
import { openDatabase, type DatabaseSettings } from './open';
import { sessionRepository, SESSION_POLICY, type SessionPolicy } from './sessions';
import { rateLimitRepository } from './rate-limits';
import { LOCKOUT_POLICY, signInAttemptRepository, type LockoutPolicy } from './sign-in-attempts';
import { userRepository } from './users';

export type { Clock, Database, Queryable, Row } from './database';
export { databaseSettings, openDatabase, type DatabaseSettings } from './open';
export type { AgencyDirectory, DirectoryAgency, DirectoryCoordinator } from './agency-directory';
export type { PageNote } from './page-notes';
export {
  AUDIT_ACTIONS,
  type Actor,
  type AuditAction,
  type AuditDetails,
  type AuditEntry,
  type AuditInput,
} from './audit';
export type { ActiveSession, NewSession, SessionPolicy } from './sessions';
export type { Rate, Taken } from './rate-limits';
export type { Locked, Lockout, LockoutPolicy } from './sign-in-attempts';
export { ROLES, type OidcIdentity, type Role, type User } from './users';
export {
  agencyDirectoryRepository,
  auditRepository,
  rateLimitRepository,
  sessionRepository,
  signInAttemptRepository,
  userRepository,
};

export interface StoreOptions {
  clock?: Clock;
  sessions?: SessionPolicy;
  lockout?: LockoutPolicy;
  /** The users file of the web app before this store; imported once if present. */
  usersFile?: string;
}

export function repositories(db: Database, options: StoreOptions = {}) {
  const clock = options.clock ?? systemClock;
  const repos = {
    db,
    users: userRepository(db, clock),
    sessions: sessionRepository(db, clock, options.sessions ?? SESSION_POLICY),
    signInAttempts: signInAttemptRepository(db, clock, options.lockout ?? LOCKOUT_POLICY),
    audit: auditRepository(db, clock),
    rateLimits: rateLimitRepository(db),
    agencyDirectory: agencyDirectoryRepository(db, clock),
    pageNotes: pageNoteRepository(db, clock),
  };
  return {
    ...repos,
    /** A password check counted by the lockout, for HTTP Basic (see ./sign-in.ts). */
    checkPassword: (attempt: Attempt) => checkPassword(repos, attempt),
    /** The sign-in form's: the check, then a new session (see ./sign-in.ts). */
    signInWithPassword: (attempt: Attempt) => signInWithPassword(repos, attempt),
    /** A sign-in through the identity provider: who, with which role, and a new session (see ./sign-in.ts). */
    signInWithOidc: (attempt: Parameters<typeof signInWithOidc>[1]) => signInWithOidc(repos, attempt),
    /** A random password for a new user or a reset, shown once. */
    newPassword: randomPassword,
  };
}

type Attempt = { username: string; password: string; clientAddress: string };

export type Store = ReturnType<typeof repositories> & { close(): Promise<void> };

/** Opens the database, brings its schema up to date, imports the old users file once. */
export async function openStore(settings: DatabaseSettings, options: StoreOptions = {}): Promise<Store> {
  const db = await openDatabase(settings);
  const store = repositories(db, options);
  try {
    if (options.usersFile) await store.users.importUsersFile(options.usersFile);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { ...store, close: () => db.close() };
}

/** The users file the web app kept under the data dir before this store. */
export const usersFileOf = (dataDir: string) => path.join(dataDir, 'web-users.json');

export {
  checkPassword,
  signInWithOidc,
  signInWithPassword,
  type CheckResult,
  type OidcNoAccess,
  type OidcSignInResult,
  type SignInResult,
} from './sign-in';
