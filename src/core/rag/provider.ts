// What a host hands techniques when it keeps a workspace index current itself (VS Code's file
// watcher); the CLI has none and rag builds the index on each run.
import type { ChunkOptions } from './chunker';
import type { SyncStats, WorkspaceIndex } from './workspaceIndex';

export interface IndexRequest {
  root: string;
  chunking: ChunkOptions;
  maxBytes: number;
}

export type WorkspaceIndexProvider = (request: IndexRequest) => Promise<{ index: WorkspaceIndex; stats: SyncStats }>;
