import { AGENCIES } from '../timeline/types';

/** The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json. */
export function openApiDocument() {
  const error = { $ref: '#/components/responses/Error' };
  const idParam = {
    name: 'id',
    in: 'path',
    required: true,
    description: 'Inspection id, `inspection-<local-authority>-<notification date>`',
    schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,120}$' },
  };
  const ok = {
    description: 'Done',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Ok' } } },
  };
  const action = (summary: string, schema: object, response: object = ok) => ({
    summary,
    parameters: [idParam],
    requestBody: { required: true, content: { 'application/json': { schema } } },
    responses: { '200': response, '400': error, '401': error, '403': error, '404': error, '409': error },
  });
  const deliverable = {
    type: 'string',
    description: 'Deliverable id (`annex-a-documents.police`) or key (with `agency` when several owe it)',
  };
  const agency = { type: 'string', enum: [...AGENCIES] };
  const receipt = {
    description: 'Recorded',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Receipt' } } },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'jtai',
      version: '1',
      description:
        'Joint targeted area inspection: the partnership side, one Temporal workflow per inspection. ' +
        'Sign in with HTTP Basic (a coordinator or manager account) or the session cookie of the web pages. ' +
        'Managers read; coordinators also act. With the session cookie, actions need a JSON body. ' +
        'Refusals are `{ "error": { "type", "message" } }` with 400 (bad request), 403 (not allowed), ' +
        '404 (no such inspection), 409 (not possible now: already settled, not yet requested, ended).',
    },
    servers: [{ url: '/' }],
    security: [{ basic: [] }, { session: [] }],
    paths: {
      '/api/inspections': {
        get: {
          summary: 'All inspections: stage, next deadline, overdue count (as `jtai list --json`)',
          responses: {
            '200': {
              description: 'The inspections, newest first',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['inspections'],
                    properties: {
                      inspections: {
                        type: 'array',
                        items: { $ref: '#/components/schemas/InspectionSummary' },
                      },
                    },
                  },
                },
              },
            },
            '401': error,
          },
        },
        post: {
          summary: 'Start an inspection (as `jtai start`)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['localAuthority', 'notifiedOn', 'option'],
                  properties: {
                    localAuthority: { type: 'string' },
                    notifiedOn: { type: 'string', format: 'date' },
                    option: { type: 'string', enum: ['A', 'B'] },
                    contacts: { $ref: '#/components/schemas/Contacts' },
                    contactsYaml: {
                      type: 'string',
                      description: 'The contacts file as YAML, instead of `contacts`',
                    },
                  },
                },
              },
            },
          },
          responses: {
            '201': {
              description: 'Started',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { inspectionId: { type: 'string' }, deliverables: { type: 'integer' } },
                  },
                },
              },
            },
            '400': error,
            '401': error,
            '403': error,
            '409': error,
          },
        },
      },
      '/api/inspections/{id}': {
        get: {
          summary: 'One inspection: every deliverable, its state and chase log (as `jtai status --json`)',
          parameters: [idParam],
          responses: {
            '200': {
              description: 'The inspection',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/InspectionView' } } },
            },
            '401': error,
            '404': error,
          },
        },
      },
      '/api/inspections/{id}/timeline.ics': {
        get: {
          summary: 'The inspection’s deadlines as an iCalendar file',
          parameters: [idParam],
          responses: {
            '200': { description: 'Calendar', content: { 'text/calendar': { schema: { type: 'string' } } } },
            '401': error,
            '404': error,
          },
        },
      },
      '/api/inspections/{id}/select': {
        post: action(
          'Record the lead inspector’s selection (as `jtai select`)',
          {
            type: 'object',
            required: ['stage', 'childIds'],
            properties: {
              stage: { type: 'string', enum: ['twenty', 'tracked'] },
              childIds: { type: 'array', items: { type: 'string' } },
            },
          },
          receipt,
        ),
      },
      '/api/inspections/{id}/confirm': {
        post: action(
          'Record a confirmation: `call` or another confirmation deliverable (as `jtai confirm`)',
          {
            type: 'object',
            required: ['deliverable'],
            properties: { deliverable: { type: 'string', examples: ['call'] }, note: { type: 'string' } },
          },
          receipt,
        ),
      },
      '/api/inspections/{id}/extend': {
        post: action('Move a deadline (as `jtai extend`)', {
          type: 'object',
          required: ['deliverable', 'to', 'reason'],
          properties: {
            deliverable,
            to: {
              type: 'string',
              description: 'UK time `2026-11-27 17:00` or `27/11/2026 17:00`, or an ISO instant with offset',
            },
            reason: { type: 'string' },
            agency,
          },
        }),
      },
      '/api/inspections/{id}/waive': {
        post: action('Waive a deliverable (as `jtai waive`)', {
          type: 'object',
          required: ['deliverable', 'reason'],
          properties: { deliverable, reason: { type: 'string' }, agency },
        }),
      },
      '/api/inspections/{id}/cancel': {
        post: action('Cancel the inspection (as `jtai cancel`)', {
          type: 'object',
          required: ['reason'],
          properties: { reason: { type: 'string' } },
        }),
      },
      '/api/inspections/{id}/links/{agency}': {
        post: {
          ...action(
            'Email an agency its link again; with `revoke`, its earlier links stop working',
            { type: 'object', properties: { revoke: { type: 'boolean', default: false } } },
            {
              description: 'Sent',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { ok: { const: true }, version: { type: 'integer' } },
                  },
                },
              },
            },
          ),
          parameters: [idParam, { name: 'agency', in: 'path', required: true, schema: agency }],
        },
      },
    },
    components: {
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        session: { type: 'apiKey', in: 'cookie', name: 'jtai_session' },
      },
      responses: {
        Error: {
          description: 'Refused or failed',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['type', 'message'],
              properties: {
                type: {
                  type: 'string',
                  examples: [
                    'NotFound',
                    'BadRequest',
                    'AlreadySettled',
                    'NotYetRequested',
                    'InspectionEnded',
                  ],
                },
                message: { type: 'string' },
              },
            },
          },
        },
        Ok: { type: 'object', properties: { ok: { const: true } } },
        InspectionSummary: {
          type: 'object',
          required: ['inspectionId', 'localAuthority', 'status', 'stage', 'overdue'],
          properties: {
            inspectionId: { type: 'string' },
            localAuthority: { type: 'string' },
            status: { type: 'string', examples: ['RUNNING', 'COMPLETED'] },
            stage: {
              type: 'string',
              enum: [
                'case-lists',
                'case-selection',
                'documents',
                'evaluation',
                'completed',
                'cancelled',
                'unknown',
              ],
            },
            nextDue: { type: 'string', description: 'UK time' },
            overdue: { type: 'integer' },
          },
        },
        Receipt: {
          type: 'object',
          properties: {
            deliverableId: { type: 'string' },
            submissionId: { type: 'string' },
            receivedAt: { type: 'integer', description: 'milliseconds since the epoch' },
            late: { type: 'boolean' },
            complete: { type: 'boolean' },
            queries: { type: 'array', items: { $ref: '#/components/schemas/Query' } },
          },
        },
        Query: {
          type: 'object',
          properties: {
            row: { type: 'integer' },
            column: { type: 'string' },
            code: { type: 'string' },
            message: { type: 'string' },
          },
        },
        Contacts: {
          type: 'object',
          required: ['coordinator', 'agencies'],
          properties: {
            coordinator: {
              type: 'object',
              required: ['name', 'email'],
              properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } },
            },
            agencies: {
              type: 'object',
              required: [...AGENCIES],
              properties: Object.fromEntries(
                AGENCIES.map((a) => [
                  a,
                  {
                    type: 'object',
                    required: ['name', 'contact', 'escalation'],
                    properties: {
                      name: { type: 'string' },
                      contact: { type: 'string', format: 'email' },
                      escalation: { type: 'string', format: 'email' },
                    },
                  },
                ]),
              ),
            },
          },
        },
        InspectionView: {
          type: 'object',
          required: [
            'inspectionId',
            'localAuthority',
            'option',
            'notifiedOn',
            'stage',
            'overdue',
            'deliverables',
          ],
          properties: {
            inspectionId: { type: 'string' },
            localAuthority: { type: 'string' },
            option: { type: 'string', enum: ['A', 'B'] },
            notifiedOn: { type: 'string', format: 'date' },
            stage: { type: 'string' },
            overdue: { type: 'integer' },
            nextDue: { type: 'string', format: 'date-time' },
            nextDueUk: { type: 'string' },
            tracked: { type: 'integer' },
            selected: { type: 'integer' },
            ended: { type: 'boolean' },
            cancelled: { type: 'object', properties: { at: { type: 'string' }, reason: { type: 'string' } } },
            deliverables: { type: 'array', items: { $ref: '#/components/schemas/DeliverableView' } },
          },
        },
        DeliverableView: {
          type: 'object',
          required: ['id', 'title', 'owner', 'kind', 'day', 'dueAt', 'dueUk', 'status', 'statusLabel'],
          properties: {
            id: { type: 'string' },
            title: { type: 'string' },
            owner: { type: 'string' },
            ownerName: { type: 'string' },
            kind: {
              type: 'string',
              enum: ['list', 'selection', 'documents', 'confirmation', 'evaluation', 'consent'],
            },
            day: { type: 'integer' },
            dueAt: { type: 'string', format: 'date-time' },
            dueUk: { type: 'string' },
            status: {
              type: 'string',
              enum: [
                'not-yet-requested',
                'awaiting',
                'extended',
                'overdue',
                'received',
                'received-late',
                'waived',
              ],
            },
            statusLabel: { type: 'string' },
            received: { type: 'object' },
            waived: { type: 'object' },
            extensions: { type: 'array', items: { type: 'object' } },
            queries: { type: 'array', items: { $ref: '#/components/schemas/Query' } },
            missingDocuments: { type: 'array', items: { type: 'string' } },
            chaseLog: { type: 'array', items: { type: 'object' } },
          },
        },
      },
    },
  };
}
