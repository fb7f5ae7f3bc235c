// The recorded sample run shipped in the bundles (media/sample/tot-game24.json, written by
// `npm run record-sample`): a real Tree of Thoughts run on a Game of 24 puzzle, answered by the tests'
// scripted model. The extension shows it (Open Sample Run) and the CLI prints it (run --sample) with
// no model set up.
import sample from '../../../media/sample/tot-game24.json';
import type { Trace } from '../trace';

export const SAMPLE_TRACE = sample as unknown as Trace;

/** What is said wherever the sample is shown, so nobody takes it for a live run. */
export const SAMPLE_NOTE = 'Recorded sample run (a scripted model answered; showing it calls no model)';
