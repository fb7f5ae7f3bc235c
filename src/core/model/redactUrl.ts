// A server URL as it may be shown: in messages, traces, the run history. A key can ride in a base URL
// (a ?key=… query, user:password@), and the URL is printed whenever a server cannot be reached, so
// every place that shows one shows it through here. Only Azure's api-version is kept as written.
const SHOWN_QUERY = new Set(['api-version']);

export function redactedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL: hide anything after "//…@" and every query value all the same.
    return raw.replace(/\/\/[^/@\s]*@/, '//…@').replace(/([?&][^=&#\s]+=)[^&#\s]*/g, '$1…');
  }
  if (url.username || url.password) {
    url.username = '…';
    url.password = '';
  }
  for (const key of [...url.searchParams.keys()]) if (!SHOWN_QUERY.has(key.toLowerCase())) url.searchParams.set(key, '…');
  // URLSearchParams percent-encodes the ellipsis; show it as written.
  return url.toString().replace(/%E2%80%A6/g, '…');
}
