// Stage: send only what the model takes. Families known up front (model/wireParams.ts) are fitted
// before sending; a 400 that names a parameter is answered by sending the request once more without
// it, and the refusal is remembered per server and model for as long as the process runs (the
// extension host or the CLI), so later calls go out right the first time. What was left out is on
// the response (`droppedParams`), for the trace and the run's notes.
import { UnsupportedParamError, type ChatModel, type ChatRequest, type ChatResponse, type WireParam } from '../model/types';
import { carries, cutAtStop, familyRefuses, fitRequest } from '../model/wireParams';

/** Parameters servers refused, per server and model. */
export class RefusedParams {
  private readonly byModel = new Map<string, Set<WireParam>>();

  of(key: string): ReadonlySet<WireParam> {
    return this.byModel.get(key) ?? new Set();
  }

  learn(key: string, param: WireParam): void {
    let set = this.byModel.get(key);
    if (!set) this.byModel.set(key, (set = new Set()));
    set.add(param);
  }
}

/** One memory for the whole process: every run against a server learns from the others. */
export const PROCESS_REFUSALS = new RefusedParams();

export function serverModelKey(model: ChatModel): string {
  return `${model.server ?? model.provider} ${model.model}`;
}

export async function sendFitted(
  model: ChatModel,
  request: ChatRequest,
  send: (request: ChatRequest) => Promise<ChatResponse>,
  refusals: RefusedParams = PROCESS_REFUSALS,
  note: (message: string) => void = () => {},
): Promise<ChatResponse> {
  const key = serverModelKey(model);
  const retried = new Set<WireParam>();
  for (;;) {
    const refused = new Set([...familyRefuses(model.model), ...refusals.of(key)]);
    const fitted = fitRequest(request, model.model, refused);
    try {
      const response = await send(fitted.request);
      if (fitted.dropped.length === 0) return response;
      const stop = fitted.dropped.some((d) => d.param === 'stop') ? request.stop ?? [] : [];
      return { ...response, choices: stop.length ? response.choices.map((c) => cutAtStop(c, stop)) : response.choices, droppedParams: fitted.dropped };
    } catch (err) {
      // Once per parameter, and only for one this request really sent: never a loop.
      if (!(err instanceof UnsupportedParamError) || retried.has(err.param) || !carries(fitted.request, err.param)) throw err;
      retried.add(err.param);
      refusals.learn(key, err.param);
      note(`${model.model} refused ${err.param}; sending without it from now on`);
    }
  }
}
