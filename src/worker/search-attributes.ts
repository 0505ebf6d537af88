/**
 * Search attribute definitions for the worker side (start script, test support). The definitions live in the
 * pure module `src/search-attributes.ts` so that workflow code, which may not import from `src/worker`, can use
 * the same typed keys.
 */
export {
  SEARCH_ATTRIBUTES,
  SEARCH_ATTRIBUTE_KEYS,
  LOCAL_AUTHORITY_KEY,
  STAGE_KEY,
  NEXT_DUE_KEY,
  OVERDUE_KEY,
  searchAttributeArgs,
  type SearchAttributeName,
  type SearchAttributeKind,
} from '../search-attributes';
export { SEARCH_ATTRIBUTES as SEARCH_ATTRIBUTE_DEFINITIONS } from '../search-attributes';
