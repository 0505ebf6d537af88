/**
 * The read model: every view of an inspection that the CLI, the pages and the API show, derived from
 * workflow state at an instant by pure functions. Rules come from `workflows/rules` (status, stage,
 * missing documents, link expiry); what counts as due soon is `progressOf` here. Presentation (terminal
 * tables, GOV.UK tags) is built over these views, never over workflow state.
 */
export * from './agency';
export * from './children';
export * from './coordinator';
export * from './debrief';
export * from './inspection';
export * from './rehearsal';
export * from './timeline';
export * from './pack';
export * from './twenty';
