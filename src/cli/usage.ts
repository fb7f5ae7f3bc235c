// The CLI's help text, kept beside nothing else so every command can print it.
export const USAGE = `Usage:
  thoughtscope techniques [--json]          list techniques and their parameters
  thoughtscope run --technique <id> [options]
  thoughtscope run --sample [--mermaid <graph.mmd>] [--out <trace.json>] [--json]   the recorded sample run, no model
  thoughtscope eval --task <game24|exact|numeric|contains> --technique <id> (--data <file> | --from N --to M) --out <results.json>   (--help)
  thoughtscope compare --techniques <a,b,c> --input <text> [--models m1,m2] [--out compare.json]   (--help)
  thoughtscope eval -c <thoughtscope.yaml> [--resume]   an experiment file: techniques × models, thresholds (--help)
  thoughtscope report <results.json> ... [--out report.md]   accuracy vs cost with the Pareto frontier
  thoughtscope diff <a.json> <b.json>       what changed between two run traces (--help)
  thoughtscope serve [--host 127.0.0.1] [--port 8788] [--token T | --no-auth] [run options]   OpenAI-compatible server (--help)
  thoughtscope calibrate --profiles <file.json> --stages a,b --data <labelled.jsonl>   FrugalGPT cascade search (--help)
  thoughtscope prices <model> [...]         the price used for a model and where it came from (--help)
  thoughtscope templates [show <name>] [--templates DIR]   list the prompt templates and their source, or print one
  thoughtscope import-prompts <module.py> [--out DIR]       turn a Python prompt module's constants into templates (--help)
  thoughtscope cache stats|clear            the response cache across runs (--help)
  thoughtscope --version                    print the version (also -V)

Run options:
  --technique, -t <id>      io, cot, tot, sc, cot-sc, icl, constitutional, ... (see "thoughtscope techniques")
  --task <id|file>          auto (default: game24 for four numbers, else generic), generic, game24, numeric-answer,
                            multiple-choice, creative-writing, crosswords, or a task file, e.g. my.task.yaml
                            (schemas/task.schema.json)
  --templates <dir>         templates that override the built-in ones by name: <dir>/<name>.liquid (after
                            ./.thoughtscope/templates, which is always read)
  --param, -p name=value    a technique parameter; repeat for several
  --input, -i <text>        the question or puzzle (or --input-file <path>: UTF-8 text, at most 1 MB unless
                            --max-input-mb <MB> allows more)
  --base-url <url>          OpenAI-compatible endpoint; default $OPENAI_BASE_URL, else Ollama's http://localhost:11434/v1
  --model, -m <name>        model name; default $THOUGHTSCOPE_MODEL, else llama3.2 on Ollama's default URL
  --api-key <key>           default $OPENAI_API_KEY (local servers need none)
  --out, -o <trace.json>    write the run's trace as JSON (whatever the outcome; output paths are checked before
                            the first call, and a file that cannot be written at the end goes to the temp folder)
  --mermaid <graph.mmd>     write the Mermaid source of the thought graph (what the panel draws: above 150 nodes,
                            pruned siblings become one "+N pruned" node per parent; --show-pruned draws them all)
  --concurrency <n>         model calls in flight at once (default 4)
  --max-calls <n>, --max-tokens <n>, --max-usd <usd>   stop the run cleanly at a budget; each request in flight
                            holds its worst case, so a budget is never passed (--max-usd needs a priced model)
  --max-nodes <n>, --max-depth <n>, --max-memory-mb <MB>   stop the run when its graph grows past these
                            (default 20000 nodes, depth 500, 512 MB)
  --pricing <file.json>     prices per million tokens: { "model": { "input": 0.15, "output": 0.6, "cachedInput": 0.075 } }
  --profiles <file.json>    model profiles (same shape as thoughtscope.profiles); keys from each profile's "apiKeyEnv"
                            variable. eot/frugal/team name them: --param participants=mini,big / --param stages=mini,big /
                            --param solverProfile=mini
  --profile <name>          use that profile as the run's own model
  --timeout <seconds>       deadline of a whole response, 1 to 3600 (default 120); --idle-timeout <seconds>: a body
                            or stream silent this long fails (default 60, or --timeout if shorter); both are
                            retried; --retries <n> on 429/5xx/timeouts (default 3)
  --stream                  stream responses (the progress line shows the text as it arrives)
  --reasoning-effort <e>    minimal, low, medium or high: sent as reasoning_effort (reasoning models)
  --seed <n>                sampling seed; each request gets one derived from it (servers that honour seeds)
  --no-cache                send every request: no answers from the response cache across runs, none stored
                            (also THOUGHTSCOPE_CACHE=off; see "thoughtscope cache --help")
  --json                    print the result as JSON instead of text
  --quiet, -q               no progress on stderr

Exit codes: 0 answered, 1 the run failed or stopped (message on stderr), 2 bad arguments.`;
