// Unicode bidirectional controls in untrusted text: an override (U+202E) or isolate makes a label
// display in another order than it is written ("Trojan Source"), so text that reads one way can say
// another. Model text shown in the panel, in Mermaid labels and in exported drawings loses them; the
// letters of right-to-left scripts are untouched and still display right to left.

/** LRE, RLE, PDF, LRO, RLO (U+202A–U+202E), LRI, RLI, FSI, PDI (U+2066–U+2069), LRM, RLM, ALM. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

export function neutralizeBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
