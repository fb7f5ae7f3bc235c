// Errors of the OpenAI-compatible server, in the shape OpenAI's API sends them, so every client
// (the openai SDKs, Continue, Open WebUI) shows the message instead of failing to parse it:
//   { "error": { "message": "...", "type": "invalid_request_error", "param": "model", "code": "model_not_found" } }
// (https://platform.openai.com/docs/guides/error-codes and the error object of the API reference).

export type ServeErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'server_error' | 'api_error';

export class ServeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ServeErrorType = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ServeError';
  }

  body(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) => new ServeError(400, message, 'invalid_request_error', param, code);
