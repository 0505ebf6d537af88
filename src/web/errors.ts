import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CommandError } from '../client/commands';
import { ContactsError } from '../client/contacts';
import { JtaiError } from '../client/errors';

/**
 * How a failure is shown: an HTTP status, a type, and a message a person can act on. Refusals (JtaiError)
 * keep their type and message; anything unexpected is a 500 whose detail stays in the server's log.
 */
export interface Shown {
  status: number;
  type: string;
  message: string;
}

const STATUS_BY_TYPE: Record<string, number> = {
  NotFound: 404,
  WrongAgency: 403,
  Forbidden: 403,
  LinkRefused: 403,
  Unauthorised: 401,
  TooManyAttempts: 429,
  AlreadySettled: 409,
  NotYetRequested: 409,
  InspectionEnded: 409,
  AlreadyStarted: 409,
  LateStart: 409,
  Unavailable: 503,
  QuotaReached: 413,
};

export const INTERNAL_MESSAGE =
  'Something went wrong on our side. Try again later; nothing was recorded twice.';

/** A refusal made by the web app itself (not by the workflow): shown like the workflow's own. */
export function webError(type: string, message: string): JtaiError {
  return new JtaiError(message, type);
}

/** A request that does not match its route's schema, as the same problems the command parser names. */
function schemaError(err: { validation: { instancePath: string; message?: string; params: object }[] }) {
  return new CommandError(
    err.validation.map((v) => {
      const type = (v.params as { params?: { type?: unknown } }).params?.type;
      return {
        field: v.instancePath.slice(1).replace(/\//g, '.'),
        message: v.message ?? 'This is not valid.',
        type: typeof type === 'string' ? type : 'BadRequest',
      };
    }),
  );
}

export function showError(err: unknown): Shown {
  if (hasZodFastifySchemaValidationErrors(err)) err = schemaError(err);
  if (err instanceof JtaiError) {
    return { status: STATUS_BY_TYPE[err.type] ?? 400, type: err.type, message: err.message };
  }
  if (err instanceof ContactsError) return { status: 400, type: 'ContactsInvalid', message: err.message };
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: unknown };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const type =
      e.code === 'FST_CSRF_INVALID_TOKEN' || e.code === 'FST_CSRF_MISSING_SECRET'
        ? 'Forbidden'
        : e.validation
          ? 'BadRequest'
          : (e.code ?? 'BadRequest');
    const message =
      type === 'Forbidden'
        ? 'The form had expired or did not come from this site. Go back, reload the page and try again.'
        : (e.message ?? 'Bad request');
    return { status: e.statusCode, type, message };
  }
  return { status: 500, type: 'InternalError', message: INTERNAL_MESSAGE };
}
