// Errors whose message is already a complete sentence for the user (a refusal, a stop with a reason):
// the engine reports them as they are instead of prefixing "Run failed:".
export class ExplainedStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainedStop';
  }
}
