// What a rendered prompt carries besides its text: which template made it, where that template came
// from and what it was given. Calls record it (CallRecord.templates), so the inspector and the trace
// can say which template sent a prompt, and two runs' prompts can be compared by the template's hash.

/** Where a template's text came from: shipped with Thoughtscope, a workspace's .thoughtscope/templates, a user's folder (--templates). */
export type TemplateSource = 'built-in' | 'workspace' | 'user';

export interface TemplateUse {
  /** The template's name, e.g. "game24/propose". */
  name: string;
  source: TemplateSource;
  /** The first 16 hex digits of the SHA-256 of the template's text. */
  hash: string;
  /** The variables it was given, as display text (long values clipped). */
  variables: Record<string, string>;
}

export interface RenderedPrompt {
  text: string;
  /** The template that made the text first, then any whose rendered text it includes. */
  templates: TemplateUse[];
}
