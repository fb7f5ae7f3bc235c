// Open a workspace index and bring it up to date in one step: what the CLI does on every run, and
// what the VS Code glue does once before its file watcher takes over.
import { listTextFiles, type ListOptions } from './files';
import { WorkspaceIndex, type SyncStats } from './workspaceIndex';
import type { ChunkOptions } from './chunker';

export interface SyncedIndex {
  index: WorkspaceIndex;
  stats: SyncStats;
}

export async function openSyncedIndex(root: string, storageDir: string | undefined, chunking: ChunkOptions, list: ListOptions = {}): Promise<SyncedIndex> {
  const index = await WorkspaceIndex.open(root, storageDir, chunking);
  const stats = await index.sync(await listTextFiles(root, list));
  await index.save();
  return { index, stats };
}
