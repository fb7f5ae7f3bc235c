// Help text of `thoughtscope serve`.
export const SERVE_USAGE = `Usage:
  thoughtscope serve [--host 127.0.0.1] [--port 8788] [--token <T> | --no-auth] [options]

An OpenAI-compatible server whose models are techniques: POST /v1/chat/completions with
"model": "<technique>:<model-or-profile>" (e.g. "tot:gpt-4o-mini", "cot-sc:mini") runs the technique on the
last user message and answers with its final answer; GET /v1/models lists the names. Technique parameters
and run options go in a "thoughtscope" object of the request, e.g. {"breadth": 3, "task": "game24", "maxUsd": 0.05}.
The first line on stdout is "listening http://<host>:<port>".

  --host <address>          where to listen (default 127.0.0.1); a non-loopback address needs a token
  --port <n>                default 8788; 0 picks a free port
  --token <T>               the bearer token clients send as their API key (default $THOUGHTSCOPE_SERVE_TOKEN;
                            neither given: a random token, printed on stderr)
  --no-auth                 no token (loopback addresses only)
  --param, -p name=value    a parameter for every technique that has it; tech.name=value for one technique.
                            File parameters (examplesFile, principlesFile, catalogFile, file, root) come only from here
  --task <id|file>          auto (default), a built-in task id (thoughtscope templates lists their templates) or a
                            task file (*.task.yaml), which requests may then name by its id; a request's
                            thoughtscope.task overrides it
  --templates <dir>         templates over the built-in ones and ./.thoughtscope/templates, as for "thoughtscope run"
  --concurrency <n>         upstream requests in flight at once, over all requests (default 16)
  --max-calls <n>, --max-tokens <n>, --max-usd <usd>   each request's budget (default 300 calls); a request may
                            lower it with thoughtscope.maxCalls / maxTokens / maxUsd, not raise it
  --runs-dir <dir>          where each run is saved (default <cache>/thoughtscope/runs, see THOUGHTSCOPE_CACHE_DIR)
  --profiles <file.json>    model profiles; "<technique>:<profile>" runs on one
  --base-url, --model, --api-key, --pricing, --timeout, --retries, --stream   the upstream, as for "thoughtscope run"
  --quiet, -q               no per-request lines on stderr

OpenTelemetry: set OTEL_EXPORTER_OTLP_ENDPOINT (and OTEL_EXPORTER_OTLP_HEADERS) to export each run as a trace.
Stops on Ctrl+C or SIGTERM, cancelling the runs in flight.`;
