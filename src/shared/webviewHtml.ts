// The HTML document of the Thoughtscope panel. No vscode import: the extension passes in the webview's
// cspSource and resource URIs, and the browser tests call this with a loopback server's.

export interface WebviewHtmlOptions {
  /** The webview's `cspSource` (origin allowed for the script, stylesheet, images and fonts). */
  cspSource: string;
  /** A fresh random nonce per document; see makeNonce(). */
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Content-Security-Policy of the panel: nothing by default; the bundle runs only with the nonce.
 * Styles allow 'unsafe-inline' without a nonce because Mermaid injects a <style> element into each
 * diagram (a nonce in style-src would make browsers ignore 'unsafe-inline').
 */
export function webviewCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ') + ';';
}

export function webviewHtml(options: WebviewHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri } = options;
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('webviewHtml: the nonce must be at least 16 base64 characters');
  if (/[;,"<>\r\n]/.test(cspSource)) throw new Error('webviewHtml: invalid cspSource');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(webviewCsp(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(styleUri)}">
<title>Thoughtscope</title>
</head>
<body>
<div id="app"></div>
<script nonce="${attr(nonce)}" src="${attr(scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 random alphanumeric characters from the platform's crypto (browser or Node 20). */
export function makeNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  while (out.length < 32) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(48));
    // 248 = 4 * 62: rejecting larger bytes keeps every character equally likely.
    for (const b of bytes) if (b < 248 && out.length < 32) out += alphabet[b % alphabet.length];
  }
  return out;
}
