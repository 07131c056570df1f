import { changedFiles, repositoryFiles } from './repository-files';

export default function globalTeardown(): void {
  const changes = changedFiles((globalThis as any).__repositoryFilesBeforeTests, repositoryFiles());
  if (changes.length > 0) {
    throw new Error(`The tests wrote into the repository (synthesize into a temporary folder, e.g. Testing.app()):\n  ${changes.join('\n  ')}`);
  }
}
