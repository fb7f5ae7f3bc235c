// The o200k BPE tokenizer behind a module of its own. The extension's build bundles it apart, as
// dist/o200k.js (scripts/build.mjs), so loading dist/extension.js does not read its 2.7 MB of tables:
// tokens.ts requires it on the first estimate only.
export { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
