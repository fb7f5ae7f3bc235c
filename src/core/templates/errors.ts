import { ExplainedStop } from '../errors';

/**
 * A template that cannot be used: its file, the line, and what is wrong, on one line
 * ("…/game24/value.liquid:3: unknown variable \"foo\" (game24/value gets: input, numbers)").
 * An ExplainedStop, so a run that meets it ends with this message and keeps what it computed.
 */
export class TemplateError extends ExplainedStop {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'TemplateError';
  }
}
