// Techniques that vote over samples (sc, cot-sc, ToT's sampled steps) rely on the samples differing,
// which their temperature decides. A model that does not take the temperature (a reasoning model)
// samples at its own default instead: the technique says so, on the node and for the run.
import type { ChatResponse } from '../model/types';
import type { Run } from '../run/run';

/** The note when the sampling temperature (or top_p) was not sent, else undefined; also added to the run's notes. */
export function diversityNote(run: Run, response: ChatResponse, technique: string, samples: number): string | undefined {
  const lost = response.droppedParams?.find((d) => d.param === 'temperature' || d.param === 'top_p');
  if (!lost) return undefined;
  const note = `${technique}: ${lost.param} ${JSON.stringify(lost.value)} was not sent (${response.model} does not take it), so the diversity of its ${samples} samples is the model's default, not the technique's setting`;
  run.note(note);
  return note;
}
