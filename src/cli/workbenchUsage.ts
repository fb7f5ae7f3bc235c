// Help text of the experiment commands (eval, compare, report).
export const EVAL_USAGE = `Usage:
  thoughtscope eval --task <game24|exact|numeric|contains> --technique <id> [--param name=value ...]
                    (--data <file.jsonl|file.csv> | --from N --to M) --out <results.json> [options]

  --task <scorer>           game24: the exact Game of 24 judge; exact / numeric / contains: compare the final
                            answer with each item's "expected" field
  --data <file>             JSONL lines {"input": ..., "expected": ...} or a CSV with input,expected columns
  --from N --to M           Game of 24 puzzles by row index in 24.csv, both included (the ToT paper's test set: 900-999)
  --puzzles <24.csv>        default ../shared/data/game24/24.csv beside the repository
  --concurrency <k>         requests (and items) in flight at once (default 4)
  --checkpoint <file>       JSONL checkpoint, one line per finished item (default <out>.checkpoint.jsonl)
  --resume                  continue the checkpoint: finished items are not run again
  --max-usd <usd>           stop starting new items once the evaluation has cost this much
  --base-url, --model, --api-key, --pricing, --timeout, --retries, --stream   as for "thoughtscope run"
  --quiet, -q               no progress on stderr

Exit codes: 0 every item finished, 1 stopped early (finish with --resume), 2 bad arguments.`;
