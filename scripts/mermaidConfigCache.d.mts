// Types of mermaidConfigCache.mjs for the TypeScript files that build the panel's bundle (tests, bench).
import type { Plugin } from 'esbuild';

export declare const mermaidConfigCache: Plugin;
