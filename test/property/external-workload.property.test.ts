import { JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import { ExternalWorkload, ModelServer, ServingRuntime } from '../../lib';
import * as a from './arbitraries';
import { expectRefused, newChart, params, ValidChecker } from './harness';

const selector = a.labels.filter((l) => Object.keys(l).length > 0);
const size = { cpu: k8s.Quantity.fromString('1'), memory: k8s.Quantity.fromString('1Gi') };

/** A restricted Deployment of `labels` with an empty env list, as a user writes one. */
function rawDeployment(chart: any, name: string, labels: Record<string, string>): k8s.KubeDeployment {
  return new k8s.KubeDeployment(chart, `raw-${name}`, {
    metadata: { name },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'app', image: 'registry.example.com/app:1.0.0', env: [], resources: { requests: size, limits: size },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    },
  });
}

describe('ExternalWorkload (property)', () => {
  test('valid props: connected to a server, the raw Deployment gets the env and both NetworkPolicies the path', () => {
    const checker = new ValidChecker();
    fc.assert(fc.property(a.dnsLabel(30), selector, a.env, fc.boolean(), (name, podSelector, env, withResource) => {
      const objects = checker.check((chart) => {
        const server = new ModelServer(chart, 'server', { runtime: ServingRuntime.tfServing({ modelName: 'm' }) });
        const resource = withResource ? rawDeployment(chart, name, podSelector) : undefined;
        const external = new ExternalWorkload(chart, 'external', { name, podSelector, resource });
        if (resource === undefined) {
          external.networkPolicy.allowTo({ podSelector: server.podSelector }, [{ port: server.port }]);
          return;
        }
        server.connect(external);
        for (const [k, v] of Object.entries(env ?? {})) external.addEnv(k, v);
        resource.addJsonPatch(JsonPatch.add('/metadata/annotations', { 'example.com/x': 'y' }));
      }, 'ml');
      const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name);
      expect(policy.spec.podSelector.matchLabels).toEqual(podSelector);
      if (withResource) {
        const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
        expect(deployment.spec.template.spec.containers[0].env[0].name).toBe('MODEL_SERVER_URL');
      }
    }), params(30));
  });

  test('invalid props are refused naming the prop', () => {
    fc.assert(fc.property(fc.oneof(
      a.badDnsName.map((name) => ({ prop: 'name', props: { name, podSelector: { app: 'x' } } })),
      a.badLabels.map((podSelector) => ({ prop: 'podSelector', props: { name: 'x', podSelector } })),
      fc.constant({ prop: 'podSelector', props: { name: 'x', podSelector: {} } }),
      fc.integer({ min: -5, max: -1 }).map((containerIndex) => ({ prop: 'containerIndex', props: { name: 'x', podSelector: { app: 'x' }, containerIndex } })),
    ), ({ prop, props }) => {
      expectRefused(() => new ExternalWorkload(newChart('ml'), 'external', props as any), "ExternalWorkload 'external'", prop);
    }), params(50));
  });
});
