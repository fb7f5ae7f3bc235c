// Answer normalisation for voting: two answers that mean the same thing get the same key.
// Numbers compare by value ("1,000" = "1000.0" = "$1000"), arithmetic expressions by their symbols
// without spacing ("(13 − 9) × 6" = "(13-9)*6"; not evaluated, so different solutions of a puzzle stay
// apart), short text by its words (case, punctuation and the articles a/an/the ignored).

const QUOTES = /^[`"'“”‘’«»]+|[`"'“”‘’«»]+$/g;
const DASHES = /[\u2212\u2013\u2014]/g;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$/i;
const GROUPED_NUMBER = /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const EXPRESSION = /^[\d\s.+\-*/×✕·÷^()[\]=]+$/;

/** The number an answer states, in canonical form ("8.0" → "8", "-0" → "0"), or undefined. */
function numberKey(text: string): string | undefined {
  let s = text.replace(DASHES, '-').replace(/^([-+]?)[$€£¥]\s*/, '$1');
  const percent = s.endsWith('%');
  if (percent) s = s.slice(0, -1).trim();
  if (GROUPED_NUMBER.test(s)) s = s.replace(/,/g, '');
  if (!NUMBER.test(s)) return undefined;
  const value = Number(s);
  if (!Number.isFinite(value)) return undefined;
  return `${Object.is(value, -0) ? 0 : value}${percent ? '%' : ''}`;
}

/** An arithmetic expression with its operators unified and spacing removed, or undefined. */
function expressionKey(text: string): string | undefined {
  // "x" means times only between operands ("3x4", "(2+1) x 8"), never inside words.
  const s = text.replace(DASHES, '-').replace(/(?<=[\d)\]]\s*)[xX](?=\s*[\d(])/g, '*');
  if (!EXPRESSION.test(s) || !/\d/.test(s) || !/[+\-*/×✕·÷^]/.test(s.replace(/^[-+]/, ''))) return undefined;
  return s.replace(/[×✕·]/g, '*').replace(/÷/g, '/').replace(/\[/g, '(').replace(/]/g, ')').replace(/\s+/g, '');
}

/** Lower case, no punctuation, no articles, single spaces; the plain lower-cased text if nothing is left. */
function textKey(text: string): string {
  const lower = text.toLowerCase();
  const words = lower
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\b(?:a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return words || lower.replace(/\s+/g, ' ').trim();
}

/** The voting key of an extracted answer; "" means no answer (an abstention). */
export function normalizeAnswer(answer: string): string {
  const s = answer
    .normalize('NFKC')
    .trim()
    .replace(/^\*\*|\*\*$/g, '')
    .replace(QUOTES, '')
    .replace(/\s*[.。!]+$/, '')
    .trim();
  if (s === '') return '';
  return numberKey(s) ?? expressionKey(s) ?? textKey(s);
}
