// How much of a ToT Game of 24 run's prompt tokens repeat an earlier prompt's beginning (issue 15):
// the share a provider's prompt cache could serve. Every prompt the run sends is tokenized (o200k)
// and walked down a trie of the earlier prompts: the tokens matched are a repeated prefix. Also what
// two providers' documented rules would bill as cached: OpenAI caches prompts of 1,024 tokens or more
// in steps of 128 tokens; DeepSeek caches repeated prefixes in units of 64 tokens.
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { evaluate } from '../src/core/eval/evaluate';
import { findScorer } from '../src/core/eval/scorers';
import type { EvalItem } from '../src/core/eval/types';
import { game24Task } from '../src/core/tasks/game24';
import { totTechnique } from '../src/core/techniques/tot';
import { modelAt } from '../test/support/runHelpers';
import { game24Reply, memoized } from './game24Model';
import { replyServer, round } from './models';
import { TOT_PARAMS } from './scheduling';

type Trie = Map<number, Trie>;

/** Tokens of `tokens` already in the trie from its root (the longest prefix shared with an earlier prompt), then inserts the rest. */
function matchAndInsert(root: Trie, tokens: readonly number[]): number {
  let node = root;
  let matched = 0;
  for (const t of tokens) {
    const next = node.get(t);
    if (!next) break;
    node = next;
    matched++;
  }
  for (const t of tokens.slice(matched)) {
    const child: Trie = new Map();
    node.set(t, child);
    node = child;
  }
  return matched;
}

export async function benchPromptPrefix(options: { items: EvalItem[]; log: (line: string) => void }) {
  const server = await replyServer(memoized(game24Reply), 0);
  try {
    await evaluate({ technique: totTechnique, task: game24Task, scorer: findScorer('game24')!, items: options.items, model: modelAt(server.baseUrl), params: TOT_PARAMS, concurrency: 16, runOptions: { budget: {} } });
    const root: Trie = new Map();
    let total = 0;
    let repeated = 0;
    let openai = 0;
    let deepseek = 0;
    let longest = 0;
    let identical = 0;
    for (const request of server.requests) {
      const text = request.body.messages.map((m) => m.content).join('\n');
      const tokens = encode(text);
      const matched = matchAndInsert(root, tokens);
      total += tokens.length;
      repeated += matched;
      longest = Math.max(longest, tokens.length);
      if (matched === tokens.length) identical++;
      if (tokens.length >= 1024) openai += Math.floor(matched / 128) * 128;
      deepseek += Math.floor(matched / 64) * 64;
    }
    const result = {
      puzzles: options.items.length,
      requests: server.requests.length,
      promptTokens: total,
      longestPromptTokens: longest,
      identicalToAnEarlierPrompt: identical,
      repeatedPrefixShare: round(repeated / total, 3),
      openAICacheableShare: round(openai / total, 3),
      deepSeekCacheableShare: round(deepseek / total, 3),
    };
    options.log(`  ${result.requests} prompts, ${total} tokens: ${Math.round(100 * result.repeatedPrefixShare)}% repeat an earlier prompt's beginning`);
    return result;
  } finally {
    await server.close();
  }
}
