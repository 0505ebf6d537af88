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
export {
  getListSpec,
  SEVEN_QUESTIONS,
  THEME_HEADER,
  type ColumnSpec,
  type ColumnType,
  type ListSpec,
} from './specs';
export { CODE_LISTS, matchCode, type CodeList, type CodeListName } from './codelists';
export { writeListTemplate, writeAllTemplates, templateFileName } from './template';
export { buildCandidates, CANDIDATE_LISTS, type CandidatesResult } from './candidates';
export {
  writeInspectorPack,
  listWarningsCsv,
  sanitiseName,
  type PackContent,
  type PackCover,
  type PackFile,
  type PackResult,
  type PackRow,
} from './pack';
export { formatReport } from './report';
// For every CSV or workbook jtai writes (the client's query answers too): import './safe-cells' directly to
// avoid loading exceljs.
export { csvDocument, csvField, formulaLike, neutraliseCell } from './safe-cells';
