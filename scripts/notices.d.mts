// Types of scripts/notices.mjs for the TypeScript tests that import it.
export declare const NOTICES_FILE: string;
export interface NoticePackage {
  name: string;
  version: string;
  licenses: string;
  repository?: string;
  copyright?: string;
  text?: string;
  where: string[];
}
export declare function packageDirOf(file: string): string | undefined;
export declare function bundledPackageDirs(meta: { bundles: Record<string, string[]>; copied: string[] }): Map<string, Set<string>>;
export declare function thirdPartyNotices(root?: string): Promise<{ text: string; packages: NoticePackage[] }>;
