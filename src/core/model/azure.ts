// Azure OpenAI takes its key in the `api-key` header (https://learn.microsoft.com/azure/ai-services/openai/reference);
// its v1 endpoint also reads the SDK's Bearer token, a deployment URL (…/deployments/<name>?api-version=…)
// only the header. Sent for Azure's hosts whenever there is a key, from the extension, profiles and the CLI alike.
export function azureKeyHeaders(baseUrl: string, key: string | undefined): Record<string, string> | undefined {
  if (!key) return undefined;
  let host = '';
  try {
    host = new URL(baseUrl).hostname;
  } catch {
    return undefined;
  }
  return /\.(openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)$/i.test(host) ? { 'api-key': key } : undefined;
}
