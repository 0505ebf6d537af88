import type { Theme } from '../theme';
import { csaFamilyTheme } from './csa-family';

/** Every theme jtai knows, by id. A new deep-dive theme is a new file here. */
export const THEMES: Readonly<Record<string, Theme>> = {
  [csaFamilyTheme.id]: csaFamilyTheme,
};

export const DEFAULT_THEME_ID = csaFamilyTheme.id;

export function themeById(id: string): Theme {
  const theme = THEMES[id];
  if (!theme) throw new Error(`Unknown theme "${id}". Known themes: ${Object.keys(THEMES).join(', ')}.`);
  return theme;
}
