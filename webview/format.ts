// Small display helpers shared by the header, the inspector and the answer view.
import type { TokenUsage } from '../src/core/graph/types';
import { neutralizeBidi } from '../src/core/render/bidi';

export { formatUsd } from '../src/core/formatUsd';

export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatUsage(usage: TokenUsage): string {
  const mark = usage.estimated ? '~' : '';
  return `${mark}${formatCount(usage.promptTokens)} in / ${mark}${formatCount(usage.completionTokens)} out`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * Create an element with a class and (plain) text. Model text only ever goes through here as textContent,
 * without bidi controls, so it displays in the order it is written.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = neutralizeBidi(text);
  return node;
}

/** A text node of model text, without bidi controls (see `el`). */
export function textNode(text: string): Text {
  return document.createTextNode(neutralizeBidi(text));
}
