// Escape hatches: a handle patched after the library rendered it, and a Deployment written by hand (a scorer the
// library has no construct for) wired to a model server like any workload. docs/escape-hatches.md explains both.
import { App, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { ExternalWorkload, ModelServer, ServingRuntime } from '../lib';

export function build(app: App): void {
  const chart = new Chart(app, 'escape-hatches', { namespace: 'ml-search' });
  const ranker = new ModelServer(chart, 'ranker', { runtime: ServingRuntime.tfServing({ modelName: 'ranker' }), replicas: 2 });
  // Keep three old ReplicaSets for `kubectl rollout undo` (Kubernetes keeps ten).
  ranker.deployment!.addJsonPatch(JsonPatch.add('/spec/revisionHistoryLimit', 3));

  const size = { cpu: k8s.Quantity.fromString('500m'), memory: k8s.Quantity.fromString('512Mi') };
  const scorer = new k8s.KubeDeployment(chart, 'scorer', {
    metadata: { name: 'scorer', labels: { app: 'scorer' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'scorer' } },
      template: {
        metadata: { labels: { app: 'scorer' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'scorer',
            image: 'registry.example.com/search/scorer:2.4.0',
            env: [],
            resources: { requests: size, limits: size },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  });
  // MODEL_SERVER_URL in the scorer's env, and scorer -> ranker opened on the ranker's ports (both NetworkPolicies).
  ranker.connect(new ExternalWorkload(chart, 'scorer-wiring', { name: 'scorer', podSelector: { app: 'scorer' }, resource: scorer }));
}
