// Azure OpenAI's data-plane REST API, as documented at
// https://learn.microsoft.com/azure/ai-services/openai/reference :
//   POST {endpoint}/openai/deployments/{deployment-id}/chat/completions?api-version={version}
// The key goes in the `api-key` header (a wrong or missing one: 401); the api-version query is
// required (without it: 404 "Resource not found"); the deployment in the path decides the model
// (the body's `model` is not used); an unknown deployment is 404 DeploymentNotFound. A deployment of
// a reasoning model answers with the same 400 bodies as OpenAI's API (see openaiReasoning.ts).
import { completion, promptText, tokens, type ProviderHandler } from './harness';
import { refusal } from './openaiReasoning';

export interface AzureOptions {
  key: string;
  /** Deployment name → whether it serves a reasoning model. */
  deployments: Record<string, { reasoning: boolean }>;
  answer: (prompt: string) => string;
}

export function azureHandler(options: AzureOptions): ProviderHandler {
  return (req) => {
    if (req.headers['api-key'] !== options.key) {
      return { status: 401, body: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } } };
    }
    if (!req.query.get('api-version')) return { status: 404, body: { error: { code: '404', message: 'Resource not found' } } };
    const m = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(req.path);
    const deployment = m ? options.deployments[decodeURIComponent(m[1])] : undefined;
    if (!m || !deployment) return { status: 404, body: { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.' } } };
    if (deployment.reasoning) {
      const refused = refusal(req.body, ['low', 'medium', 'high']);
      if (refused) return refused;
    }
    const prompt = promptText(req.body);
    const text = options.answer(prompt);
    return completion('o4-mini-2025-04-16', [{ content: text }], { prompt_tokens: tokens(prompt), completion_tokens: tokens(text), total_tokens: tokens(prompt) + tokens(text) });
  };
}
