import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ExternalSecretStore, ExternalSecretStoreProps, GpuTrainingJob, SecretProvider, SecretValue, VaultKvVersion } from '../../lib';
import * as a from './arbitraries';
import { Breakage, breaks, expectRefused, expectRefusedOrValid, expectSynthRefused, hostileProps, params, ValidChecker } from './harness';

interface Case {
  readonly id: string;
  readonly chartNamespace: string;
  readonly props: ExternalSecretStoreProps;
  /** Remote keys and properties read by a training job in the store's namespace. */
  readonly values: Array<[string, string | undefined]>;
}

const provider = fc.oneof(
  fc.constantFrom('eu-west-1', 'us-east-2').map((region) => SecretProvider.awsSecretsManager({ region, roleArn: 'arn:aws:iam::123456789012:role/secrets' })),
  fc.option(fc.constantFrom('europe-west1', 'us-central1'), { nil: undefined })
    .map((location) => SecretProvider.gcpSecretManager({ projectId: 'acme-ml', serviceAccountEmail: 'ml-secrets@acme-ml.iam.gserviceaccount.com', location })),
  fc.constantFrom(VaultKvVersion.V1, VaultKvVersion.V2).map((version) => SecretProvider.vault({ server: 'https://vault.example.com:8200', role: 'ml', version })),
  fc.constant(null).map(() => SecretProvider.azureKeyVault({ vaultUrl: 'https://ml.vault.azure.net', clientId: '11111111-2222-3333-4444-555555555555' })),
);
// Remote keys as managers name them: paths, upper case, dots, spaces.
const remoteKey = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9/._ -]{0,40}$/).filter((k) => k.trim() === k);
const property = fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,20}$/), { nil: undefined });

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(30),
  name: fc.option(a.dnsLabel(40), { nil: undefined }),
  namespace: a.dnsLabel(20),
  provider,
  refreshMinutes: fc.option(fc.integer({ min: 1, max: 60 * 24 }), { nil: undefined }),
  labels: a.labels,
  // Two properties that map to one Secret key ('a b' and 'a_b', or the whole value and 'value') are refused (see the
  // unit tests): the valid cases hold distinct keys.
  values: fc.uniqueArray(fc.tuple(remoteKey, property), { minLength: 1, maxLength: 4, selector: ([k, p]) => `${k}|${(p ?? 'value').replace(/[^-._a-zA-Z0-9]/g, '_')}` }),
}).map((c) => ({
  id: c.id,
  chartNamespace: c.namespace,
  props: { name: c.name, provider: c.provider, refreshInterval: c.refreshMinutes === undefined ? undefined : Duration.minutes(c.refreshMinutes), labels: c.labels },
  values: c.values,
}));

type P = ExternalSecretStoreProps;
const set = <K extends keyof P>(key: K) => (p: P, value: unknown): P => ({ ...p, [key]: value });

const breakages: fc.Arbitrary<Breakage<P>> = fc.oneof<fc.Arbitrary<Breakage<P>>[]>(
  breaks<P, any>(a.badDnsName, 'name', set('name')),
  breaks<P, any>(fc.constantFrom<unknown>(undefined, 'aws', { region: 'eu-west-1' }), 'provider', set('provider')),
  breaks<P, any>(fc.oneof(a.badDuration, fc.constant(Duration.seconds(59))), 'refreshInterval', set('refreshInterval')),
  breaks<P, any>(a.badLabels, 'labels', set('labels')),
  breaks<P, any>(a.badDnsName, 'namespace', set('namespace')),
  breaks<P, any>(fc.constantFrom<unknown>({ serviceAccountNamespace: 'eso', namespaces: [] }, { serviceAccountNamespace: 'eso' }), 'clusterWide.namespaces', set('clusterWide')),
  breaks<P, any>(a.badDnsName, 'clusterWide.serviceAccountNamespace', (p, ns) => ({ ...p, clusterWide: { serviceAccountNamespace: ns, namespaces: ['ml'] } })),
);

const hostile = hostileProps<P>(['name', 'namespace', 'provider', 'refreshInterval', 'clusterWide', 'labels.*'], a.hostileValue, a.hostileKey);

function synthCase(c: Case, props: P = c.props) {
  return (chart: Chart) => {
    const store = new ExternalSecretStore(chart, c.id, props);
    const secretEnv: Record<string, SecretValue> = {};
    c.values.forEach(([key, prop], i) => { secretEnv[`SECRET_${i}`] = SecretValue.fromExternal(store, key, prop); });
    new GpuTrainingJob(chart, 'reader', { image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', cpu: 1, memory: '4Gi', secretEnv });
  };
}

describe('ExternalSecretStore properties', () => {
  const checker = new ValidChecker();

  test('valid props and remote keys synthesize valid manifests: an ExternalSecret per remote key, every reference written by one', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      const written = new Set(objects.filter((o) => o.kind === 'ExternalSecret').flatMap((e) => e.spec.data.map((d: any) => `${e.spec.target.name}/${d.secretKey}`)));
      const env = objects.find((o) => o.kind === 'Job').spec.template.spec.containers[0].env.filter((e: any) => e.valueFrom?.secretKeyRef);
      for (const e of env) expect(written.has(`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`)).toBe(true);
      expect(new Set(objects.filter((o) => o.kind === 'ExternalSecret').map((e) => e.spec.data[0].remoteRef.key)).size).toBe(objects.filter((o) => o.kind === 'ExternalSecret').length);
    }), params(150));
  });

  test('a prop set with one broken field is refused, naming ExternalSecretStore and the prop', () => {
    fc.assert(fc.property(validCase, breakages, (c, b) => {
      expectSynthRefused(c.chartNamespace, synthCase(c, b.apply(c.props)), `ExternalSecretStore '${c.id}'`, b.prop);
    }), params(300));
  });

  test('a hostile value in any prop is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostile, (c, h) => {
      expectRefusedOrValid(checker, c.chartNamespace, synthCase(c, h.apply(c.props)), `ExternalSecretStore '${c.id}'`, h.prop);
    }), params(150));
  });

  test('hostile remote keys and properties are refused by SecretValue.fromExternal, naming the argument, or make valid names', () => {
    fc.assert(fc.property(a.hostileString, fc.boolean(), (value, asProperty) => {
      const c = new Chart(Testing.app(), 'c', { namespace: 'ml' });
      const store = new ExternalSecretStore(c, 'store', { provider: SecretProvider.vault({ server: 'https://vault.example.com', role: 'ml' }) });
      let secret: SecretValue | undefined;
      try {
        secret = asProperty ? SecretValue.fromExternal(store, 'key', value) : SecretValue.fromExternal(store, value);
      } catch (e) {
        expectRefused(() => { throw e; }, 'SecretValue.fromExternal', asProperty ? 'property' : 'key');
        return;
      }
      // Accepted: the Secret's name and key are valid names whatever the remote key.
      expect(secret.secretName).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(secret.secretName.length).toBeLessThanOrEqual(253);
      expect(secret.key).toMatch(/^[-._a-zA-Z0-9]{1,253}$/);
    }), params(300));
  });
});
