// The CI examples (examples/ci/) run the commands the README documents in "In a pipeline", no more and no fewer:
// a user who reads one and copies the other gets the same pipeline. Set-up and presentation lines (installing
// kubeconform, writing the job summary) are not pipeline commands; every line that runs npm, npx, git, kubeconform
// or cdk8s is.
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const TOOLS = /^(npm|npx|git|kubeconform|cdk8s)\b/;

/** Script lines without comments and with single spaces; `\`-continued lines joined. */
function scriptLines(script: string): string[] {
  return script.replace(/\\\n/g, ' ').split('\n')
    .map((line) => line.replace(/(^|\s)#(?![^"]*"[^"]*$).*$/, '').replace(/\s+/g, ' ').trim())
    .filter((line) => line.length > 0);
}

/** The lines that run one of the pipeline's tools (in any segment of `&&`, `||`, `;` or `|`). */
function pipelineCommands(lines: string[]): string[] {
  return lines.filter((line) => line.split(/&&|\|\||;|\|/).some((segment) => TOOLS.test(segment.trim())));
}

/** The README's "In a pipeline" section and the commands of its shell block. */
function readme(): { section: string; commands: string[] } {
  const section = read('README.md').split(/^## /m).find((s) => s.startsWith('In a pipeline'));
  if (section === undefined) throw new Error('README.md has no "## In a pipeline" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('the README\'s "In a pipeline" section has no ```sh block');
  return { section, commands: scriptLines(block[1]) };
}

/** Every `run:` of a GitHub Actions workflow, in order. */
function githubScripts(workflow: any): string[] {
  return Object.values<any>(workflow.jobs).flatMap((job) => (job.steps ?? []).map((s: any) => s.run).filter((r: unknown) => typeof r === 'string'));
}

/** Every `before_script:` and `script:` line of a GitLab CI pipeline, in order. */
function gitlabScripts(pipeline: any): string[] {
  return Object.values<any>(pipeline)
    .filter((job) => job && typeof job === 'object' && Array.isArray(job.script))
    .flatMap((job) => [...(job.before_script ?? []), ...job.script]);
}

/** The pipeline commands of `scripts` the README does not list, and the README's commands they leave out. */
function compare(scripts: string[], documented: string[]): { undocumented: string[]; missing: string[] } {
  const run = pipelineCommands(scripts.flatMap(scriptLines));
  return { undocumented: run.filter((c) => !documented.includes(c)), missing: documented.filter((c) => !run.includes(c)) };
}

const WORKFLOWS: Array<[file: string, scripts: (doc: any) => string[]]> = [
  ['examples/ci/github-actions.yml', githubScripts],
  ['examples/ci/gitlab-ci.yml', gitlabScripts],
];

describe('the CI examples run the commands the README documents', () => {
  const documented = readme().commands;

  test('the README documents install, synth, schema validation, the stale dist/ check and the review diff', () => {
    expect(documented).toEqual([
      'npm ci',
      'npx cdk8s synth --no-check-upgrade',
      'kubeconform -strict -summary -kubernetes-version 1.27.0 -schema-location default -schema-location "$CRD_SCHEMAS" dist',
      'git add --intent-to-add dist && git diff --exit-code -- dist',
      'git diff "$BASE_SHA" -- dist | tee dist.diff',
    ]);
    expect(pipelineCommands(documented)).toEqual(documented);
  });

  test.each(WORKFLOWS)('%s: every pipeline command is documented, every documented command runs', (file, scripts) => {
    expect(compare(scripts(YAML.parse(read(file))), documented)).toEqual({ undocumented: [], missing: [] });
  });

  test('both run the same kubeconform release against the schema catalog the README names', () => {
    const github = YAML.parse(read('examples/ci/github-actions.yml'));
    const gitlab = YAML.parse(read('examples/ci/gitlab-ci.yml'));
    expect(gitlab.validate.image.name).toBe(`ghcr.io/yannh/kubeconform:${github.env.KUBECONFORM_VERSION}-alpine`);
    expect(gitlab.variables.CRD_SCHEMAS).toBe(github.env.CRD_SCHEMAS);
    expect(readme().section).toContain(`\`${github.env.CRD_SCHEMAS}\``);
    expect(readme().section).toContain(github.env.KUBECONFORM_VERSION);
  });

  test('the synth command is the one docs/pipelines.md recommends', () => {
    expect(read('docs/pipelines.md')).toContain('npx cdk8s synth --no-check-upgrade');
    expect(documented.some((c) => c.includes('npx cdk8s synth --no-check-upgrade'))).toBe(true);
  });

  test('the comparison catches a changed, an extra and a missing command', () => {
    const scripts = ['npm ci', 'npx cdk8s synth', 'git push', 'echo done'];
    expect(compare(scripts, documented)).toEqual({
      undocumented: ['npx cdk8s synth', 'git push'],
      missing: documented.slice(1),
    });
    expect(scriptLines('kubeconform -strict \\\n  dist   # validate')).toEqual(['kubeconform -strict dist']);
  });
});
