import { z } from 'zod';
import { AGENCIES, type AgencyId } from '../../timeline/types';
import { atomically, systemClock, type Clock, type Queryable } from './database';

/**
 * The agency directory: each agency's name, primary contact and escalation lead, and the partnership's
 * coordinator, as used for the last inspection. The start form is pre-filled from it and it is editable on
 * its own page. One row per agency id.
 */
export interface DirectoryAgency {
  name: string;
  /** Primary contact: gets the links and the reminders. */
  contact: string;
  /** Escalation lead: told when a deadline is missed. */
  escalation: string;
}

export interface DirectoryCoordinator {
  name: string;
  email: string;
}

export interface Changed {
  updatedAt: Date;
  updatedBy: string;
}

export interface AgencyDirectory {
  coordinator?: DirectoryCoordinator & Changed;
  agencies: Partial<Record<AgencyId, DirectoryAgency & Changed>>;
}

const text = z.string().trim().min(1).max(200);
const email = z.email().max(254);
export const directoryAgencySchema = z.strictObject({ name: text, contact: email, escalation: email });
export const directoryCoordinatorSchema = z.strictObject({ name: text, email });

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${[what, ...i.path].join('.')}: ${i.message}`);
  throw new Error(`The agency directory: ${problems.join('; ')}`);
}

function checkAgency(id: string): AgencyId {
  if (!(AGENCIES as readonly string[]).includes(id))
    throw new Error(`The agency directory: unknown agency ${id}`);
  return id as AgencyId;
}

export function agencyDirectoryRepository(db: Queryable, clock: Clock = systemClock) {
  async function saveAgencies(
    agencies: Partial<Record<AgencyId, DirectoryAgency>>,
    updatedBy: string,
  ): Promise<void> {
    const rows = Object.entries(agencies).map(([id, a]) => ({
      id: checkAgency(id),
      ...checked(directoryAgencySchema, a, id),
    }));
    if (rows.length === 0) return;
    await db.query(
      `INSERT INTO agency_directory (agency_id, name, contact_email, escalation_email, updated_at, updated_by)
       SELECT id, n, c, e, $5, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t (id, n, c, e)
       ON CONFLICT (agency_id) DO UPDATE SET name = EXCLUDED.name, contact_email = EXCLUDED.contact_email,
         escalation_email = EXCLUDED.escalation_email, updated_at = EXCLUDED.updated_at,
         updated_by = EXCLUDED.updated_by`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.name),
        rows.map((r) => r.contact),
        rows.map((r) => r.escalation),
        clock(),
        updatedBy,
      ],
    );
  }

  async function saveCoordinator(coordinator: DirectoryCoordinator, updatedBy: string): Promise<void> {
    const c = checked(directoryCoordinatorSchema, coordinator, 'coordinator');
    await db.query(
      `INSERT INTO coordinator_contact (only_row, name, email, updated_at, updated_by) VALUES (true, $1, $2, $3, $4)
       ON CONFLICT (only_row) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
         updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
      [c.name, c.email, clock(), updatedBy],
    );
  }

  return {
    async get(): Promise<AgencyDirectory> {
      const agencies = await db.query<{
        agency_id: AgencyId;
        name: string;
        contact_email: string;
        escalation_email: string;
        updated_at: Date;
        updated_by: string;
      }>('SELECT * FROM agency_directory ORDER BY agency_id');
      const [coordinator] = await db.query<{
        name: string;
        email: string;
        updated_at: Date;
        updated_by: string;
      }>('SELECT name, email, updated_at, updated_by FROM coordinator_contact');
      return {
        ...(coordinator
          ? {
              coordinator: {
                name: coordinator.name,
                email: coordinator.email,
                updatedAt: coordinator.updated_at,
                updatedBy: coordinator.updated_by,
              },
            }
          : {}),
        agencies: Object.fromEntries(
          agencies.map((a) => [
            a.agency_id,
            {
              name: a.name,
              contact: a.contact_email,
              escalation: a.escalation_email,
              updatedAt: a.updated_at,
              updatedBy: a.updated_by,
            },
          ]),
        ),
      };
    },

    saveAgencies,
    saveCoordinator,

    /**
     * Keeps the contacts an inspection was started with (the shape of a contacts file) as the directory: the
     * coordinator and the agencies change together or not at all.
     */
    saveContacts(
      contacts: { coordinator: DirectoryCoordinator; agencies: Partial<Record<AgencyId, DirectoryAgency>> },
      updatedBy: string,
    ): Promise<void> {
      return atomically(db, async (tx) => {
        const directory = agencyDirectoryRepository(tx, clock);
        await directory.saveCoordinator(contacts.coordinator, updatedBy);
        await directory.saveAgencies(contacts.agencies, updatedBy);
      });
    },
  };
}

export type AgencyDirectoryRepository = ReturnType<typeof agencyDirectoryRepository>;
