import { repositoryFiles } from './repository-files';

export default function globalSetup(): void {
  (globalThis as any).__repositoryFilesBeforeTests = repositoryFiles();
}
