import type { FastifyInstance } from 'fastify';
import { protectFormPages } from '../http';
import { agencyDirectoryPages } from './agencies';
import { dashboardPage } from './dashboard';
import { debriefPages } from './debrief';
import { downloads } from './downloads';
import { inspectionPages } from './inspection';
import { signInPages } from './sign-in';
import { ssoPages } from './sso';
import { startPages } from './start';
import { timelinePage } from './timeline';
import { userPages } from './users';

/**
 * The coordinator's and managers' pages, behind sign-in. Managers read; coordinators also act, through the
 * same commands and InspectionsClient methods as the CLI. Every form carries a CSRF token.
 */
export function staffRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  protectFormPages(app);
  for (const pages of [
    signInPages,
    ssoPages,
    dashboardPage,
    startPages,
    agencyDirectoryPages,
    inspectionPages,
    downloads,
    debriefPages,
    timelinePage,
    userPages,
  ])
    pages(app);
  done();
}
