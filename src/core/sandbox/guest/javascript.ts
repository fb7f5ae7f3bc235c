// JavaScript in the sandbox process: QuickJS compiled to WebAssembly, a fresh runtime per program
// (../quickjsRunner.ts). The wasm is compiled from the file beside the runner, so nothing depends
// on how a bundler rewrote import.meta.
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import RELEASE_SYNC from '@jitl/quickjs-wasmfile-release-sync';

declare const Deno: { readFile(path: string): Promise<Uint8Array<ArrayBuffer>> };

export async function startJavaScript(wasm: string): Promise<QuickJSWASMModule> {
  const wasmModule = await WebAssembly.compile((await Deno.readFile(wasm)));
  return newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule }));
}

export { runQuickJs as runJavaScript } from '../quickjsRunner';
