// Terms for BM25: words split at punctuation and at camelCase / snake_case boundaries (so
// `maxUploadRetries` matches "upload retries"), lower-cased, with common English words dropped.

const STOP_WORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its of on or that the their then there these this to was what when where which who why will with would you your'.split(' '),
);

/** Index-time tokens: each identifier whole and in its parts. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}_]+/gu) ?? []) {
    const parts = word
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .split(/[\s_]+/)
      .filter(Boolean);
    for (const t of parts.length > 1 ? [word, ...parts] : [word]) {
      const lower = t.toLowerCase();
      if (lower.length > 1 && !STOP_WORDS.has(lower)) out.push(lower);
    }
  }
  return out;
}

/** Distinct query terms, in order. */
export function searchTerms(query: string): string[] {
  return [...new Set(tokenize(query))];
}
