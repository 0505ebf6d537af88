/**
 * Child-level lists of a JTAI (seed 001, Annex A): specifications, streaming validation, templates,
 * the candidates workbook and the inspector pack. Pure of Temporal.
 *
 * Workflow code must not import this module (it pulls in exceljs and Node built-ins): import `./ids` or
 * `./specs`, which are pure data.
 */
export { LIST_IDS, LIST_TITLES, isListId, type ListId } from './ids';
export { UnreadableListError, type UnreadableReason } from './errors';
export { validateListFile, scanList, type Finding, type ListReport, type ValidateOptions } from './validate';
