// Colour contrast as WCAG 2 defines it (relative luminance of sRGB colours), for the workbench charts:
// their text and grid colours come from the VS Code theme and must read against its background.
// Pure: colours are parsed from the strings getComputedStyle and the theme variables give.

export type Rgb = [number, number, number];

/** #rgb, #rrggbb (alpha ignored), rgb()/rgba() with 0-255 channels; undefined for anything else. */
export function parseColor(text: string): Rgb | undefined {
  const value = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,4})$/.exec(value);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as Rgb;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(value);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as Rgb;
  m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(value);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** The contrast ratio of two colours, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * The first candidate colour that has at least `min` contrast with the background; if none has, black
 * or white, whichever contrasts more. Unparseable candidates are skipped.
 */
export function readableColor(candidates: readonly string[], background: string, min = 4.5): string {
  const bg = parseColor(background) ?? [30, 30, 30];
  for (const candidate of candidates) {
    const rgb = parseColor(candidate);
    if (rgb && contrast(rgb, bg) >= min) return candidate.trim();
  }
  return contrast([0, 0, 0], bg) >= contrast([255, 255, 255], bg) ? '#000000' : '#ffffff';
}
