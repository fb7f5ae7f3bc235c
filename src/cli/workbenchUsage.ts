// Help text of the experiment commands (eval, compare, report).
export const EVAL_USAGE = `Usage:
  thoughtscope eval --task <scorer> --technique <id> [--param name=value ...]
                    (--data <file.jsonl|file.csv> | --from N --to M) --out <results.json> [options]
  thoughtscope eval -c <thoughtscope.yaml> [--resume] [--json] [--templates DIR] [model options]

  -c, --config <file>       an experiment file (schemas/experiment.schema.json): techniques × models on a task
                            and dataset, with a budget and pass thresholds; every run's results, checkpoint and
                            traces, report.md and experiment.json go to its output folder. Exit code 1 when a
                            run did not finish or a threshold failed (a CI gate). --resume continues unfinished
                            runs; without it every run starts over (unchanged calls come from the response cache)
  --json                    with -c: print the verdict, failures and threshold checks as JSON

  --task <scorer>           game24: the exact Game of 24 judge; exact / numeric / contains: compare the final
                            answer with each item's "expected" field; got-sorting, got-set-intersection,
                            got-keyword-counting: the GoT paper's error count (correct at 0 errors);
                            got-document-merging: the model's 0-10 score of the merged document.
                            The got-* tasks run --technique got (--param approach=io|cot|tot|tot2|got).
                            Or a task with its own prompts, scorer and data: numeric-answer, multiple-choice,
                            crosswords, creative-writing, or a task file (my.task.yaml; its data file when no --data)
  --templates <dir>         templates over the built-in ones and ./.thoughtscope/templates, by name (with -c, an
                            experiment's own templates: folder goes over these)
  --data <file>             JSONL lines {"input": ..., "expected": ...} or a CSV with input,expected columns,
                            or a CSV in a GoT reference form (ID,Unsorted,Sorted; ID,SET1,SET2,INTERSECTION; ...)
  --from N --to M           rows by index, both included: Game of 24 puzzles in 24.csv (the ToT paper's test set:
                            900-999), or rows of a got-* task's data (all rows without them)
  --puzzles <24.csv>        another puzzles file; default the ToT paper's 24.csv shipped with Thoughtscope
  --size <32|64|128>        got-sorting, got-set-intersection: which shipped dataset (default 32)
  --concurrency <k>         requests (and items) in flight at once (default 4)
  --checkpoint <file>       JSONL checkpoint, one line per finished item (default <out>.checkpoint.jsonl)
  --traces <file.jsonl>     keep each finished item's run trace (as "thoughtscope run --out" writes it), one line
                            {"index": N, "trace": {...}} per item, appended as items finish; --resume continues it
  --resume                  continue the checkpoint: finished items are not run again
  --max-usd <usd>           one budget for the whole evaluation: each request in flight holds its worst case, so it
                            is never passed; what unfinished items cost is reported (needs a priced model)
  --batch                   io, cot, icl, sc, cot-sc: send the unfinished items as one Batch API batch (/v1/files +
                            /v1/batches), poll it, and score its answers; its id is kept in the checkpoint, so --resume
                            after a restart picks the same batch up. Priced at the batch rate (see --batch-discount)
  --poll-seconds <s>        with --batch: time between status reads (default 30)
  --batch-discount <f>      with --batch: the price table is reduced by this fraction (default 0.5, OpenAI's half price;
                            0 for servers that charge batches like other requests)
  --base-url, --model, --api-key, --pricing, --timeout, --idle-timeout, --retries, --stream, --reasoning-effort, --seed, --no-cache   as for "thoughtscope run"
  --quiet, -q               no progress on stderr

Exit codes: 0 every item finished (-c: and every threshold held), 1 stopped early (finish with --resume)
or a threshold failed, 2 bad arguments or a bad experiment file.`;

export const COMPARE_USAGE = `Usage:
  thoughtscope compare --techniques <a,b,c> (--input <text> | --input-file <path> [--max-input-mb N]) [options]

  --techniques, -t <ids>    techniques to compare, comma-separated (see "thoughtscope techniques")
  --models <names>          compare several models too (every technique on every model); default --model
  --reasoning-effort <e,..> compare reasoning efforts too (minimal, low, medium, high): every technique and model at each
  --task <id>               auto (default), generic or game24
  --param, -p name=value    to every technique with that parameter; tech.name=value for one technique only
  --expected <answer>       judge each answer against this (with --score exact|numeric|contains, default exact);
                            Game of 24 answers are judged exactly without it
  --concurrency <n>         requests in flight at once, across all runs (default 4)
  --out, -o <file.json>     write the rows and every run's full trace as JSON
  --json                    print the rows as JSON instead of a table
  --base-url, --model, --api-key, --pricing, --timeout, --idle-timeout, --retries, --stream, --reasoning-effort, --seed, --no-cache   as for "thoughtscope run"

Exit codes: 0 every run answered, 1 some run failed or stopped, 2 bad arguments.`;

export const REPORT_USAGE = `Usage:
  thoughtscope report <results.json> [<results.json> ...] [--out report.md]

Accuracy against cost per item for each evaluation (same data, different techniques or models), with the
Pareto frontier marked, as a Markdown table (stdout, or --out). Evaluations with an error count (the got-*
tasks) also get its median and quartiles, and the frontier of errors against cost (the GoT paper's figure).`;
