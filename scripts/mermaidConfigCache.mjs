// An esbuild plugin for the panel's bundle. Mermaid's getConfig() returns a copy of its whole
// configuration (three levels deep) on every call, and drawing a flowchart calls it for every node and
// edge (parser, label helper, edge painter): half of a redraw's time. With this plugin getConfig returns
// one copy until the configuration is replaced (Mermaid replaces its current configuration, never edits
// it: every change goes through updateCurrentConfig, and each render starts with one).
// The copy was there so callers could not change the configuration by changing what they got. Drawing
// the panel's flowcharts writes to it once (flowchart.arrowMarkerAbsolute, set to the value setConfig
// sets right after); test/webview/mermaidConfig.test.ts draws the panel's kinds of graphs with every
// write to the shared copy recorded (the hook below) and fails on any other.
// The build fails if Mermaid's getConfig no longer reads as expected (an upgrade): then read the new
// source again and update ORIGINAL.
import { readFile } from 'node:fs/promises';

const ORIGINAL = `var getConfig = /* @__PURE__ */ __name(() => {
  return assignWithDepth_default({}, currentConfig);
}, "getConfig");`;

const CACHED = `var cachedConfigOf;
var cachedConfig;
var getConfig = /* @__PURE__ */ __name(() => {
  if (cachedConfigOf !== currentConfig) {
    cachedConfig = assignWithDepth_default({}, currentConfig);
    cachedConfigOf = currentConfig;
    const audit = globalThis.__thoughtscopeConfigAudit;
    if (typeof audit === "function") cachedConfig = audit(cachedConfig);
  }
  return cachedConfig;
}, "getConfig");`;

export const mermaidConfigCache = {
  name: 'mermaid-config-cache',
  setup(build) {
    let patched = false;
    build.onLoad({ filter: /[\\/]mermaid[\\/]dist[\\/]chunks[\\/]mermaid\.core[\\/]chunk-[A-Z0-9]+\.mjs$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('var getConfig = ')) return undefined;
      if (!source.includes(ORIGINAL)) throw new Error(`mermaid-config-cache: Mermaid's getConfig in ${args.path} changed; update scripts/mermaidConfigCache.mjs`);
      patched = true;
      return { contents: source.replace(ORIGINAL, CACHED), loader: 'js' };
    });
    build.onEnd((result) => {
      if (result.errors.length === 0 && !patched) result.errors.push({ text: "mermaid-config-cache: Mermaid's getConfig was not found in the bundle" });
    });
  },
};
