// ConfigMap and Secret files and envFrom (#16): valid mounts synthesize valid, restricted manifests; hostile keys,
// item paths, modes, mount paths and prefixes are refused by the factory or the construct naming the prop, or are
// harmless.
import * as fc from 'fast-check';
import {
  Accelerator, ConfigEnv, ConfigFiles, ConfigFilesOptions, GpuTrainingJob, MlopsValidationError, QueueWorker,
} from '../../lib';
import { isConfigMapKey } from '../../lib/core/config-files';
import * as a from './arbitraries';
import { expectRefused, expectRefusedOrValid, params, ValidChecker } from './harness';

const IMAGE = 'registry.example.com/app/worker:1.2.3';
const segment = fc.stringMatching(/^[a-z0-9_][a-z0-9_.-]{0,12}$/).filter((s) => s !== '.' && s !== '..' && !s.startsWith('..'));
const itemPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
const key = fc.stringMatching(/^[-._a-zA-Z0-9]{1,30}$/).filter(isConfigMapKey);
/** Modes without group or others' write bits. */
const mode = fc.integer({ min: 0, max: 0o777 }).map((m) => m & ~0o022);
// Mount paths never hold '..' (validateMountPath refuses it anywhere).
const directory = fc.tuple(fc.constantFrom('/etc', '/srv', '/var/run', '/app', '/opt/app', '/config'), segment.filter((s) => !s.includes('..'))).map(([root, leaf]) => `${root}/${leaf}`);

/** Items whose paths are neither equal nor nested. */
const items: fc.Arbitrary<ConfigFilesOptions['items']> = fc.dictionary(key, fc.record({ path: itemPath, mode: fc.option(mode, { nil: undefined }) }, { requiredKeys: ['path'] }), { minKeys: 1, maxKeys: 4, noNullPrototype: true })
  .filter((d) => {
    const paths = Object.values(d).map((t) => t.path);
    return paths.every((p, i) => paths.every((q, j) => i === j || (p !== q && !q.startsWith(`${p}/`))));
  })
  .map((d) => Object.fromEntries(Object.entries(d).map(([k, t]) => [k, t.mode === undefined ? { path: t.path } : t])));

const options: fc.Arbitrary<ConfigFilesOptions> = fc.record({
  items: fc.option(items, { nil: undefined }),
  defaultMode: fc.option(mode, { nil: undefined }),
  optional: fc.option(fc.boolean(), { nil: undefined }),
}, { requiredKeys: [] });
const source = fc.tuple(fc.boolean(), a.dnsSubdomain, options).map(([secret, name, o]) => (secret ? ConfigFiles.fromSecret(name, o) : ConfigFiles.fromConfigMap(name, o)));
/** File mounts at distinct, non-nested directories. */
const files = fc.uniqueArray(directory, { minLength: 1, maxLength: 3 })
  .filter((dirs) => dirs.every((p, i) => dirs.every((q, j) => i === j || !q.startsWith(`${p}/`))))
  .chain((dirs) => fc.tuple(...dirs.map((path) => source.map((s) => ({ source: s, path })))));
const envFrom = fc.array(fc.tuple(fc.boolean(), a.dnsSubdomain, fc.option(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), { nil: undefined }))
  .map(([secret, name, prefix]) => (secret ? ConfigEnv.fromSecret(name, { prefix }) : ConfigEnv.fromConfigMap(name, { prefix }))), { maxLength: 3 });

describe('files and envFrom (property)', () => {
  test('valid files and envFrom synthesize valid manifests on a training run and a worker', () => {
    const checker = new ValidChecker();
    fc.assert(fc.property(files, envFrom, fc.boolean(), (f, e, worker) => {
      checker.check((chart) => {
        if (worker) new QueueWorker(chart, 'w', { image: IMAGE, files: [...f], envFrom: e });
        else new GpuTrainingJob(chart, 'j', { image: IMAGE, accelerator: Accelerator.none(), files: [...f], envFrom: e });
      }, 'ml');
    }), params(40));
  });

  test('hostile keys, item paths and modes: refused by the factory naming the option, or valid', () => {
    const checker = new ValidChecker();
    const hostile = fc.oneof(
      a.hostileKey.map((k) => ({ prop: 'items', options: { items: { [k]: { path: 'x' } } } })),
      a.hostileValue.map((p) => ({ prop: 'items', options: { items: { k: { path: p } } } as any })),
      a.hostileValue.map((m) => ({ prop: 'items', options: { items: { k: { path: 'x', mode: m } } } as any })),
      a.hostileValue.map((m) => ({ prop: 'defaultMode', options: { defaultMode: m } as any })),
      a.hostileValue.map((o) => ({ prop: 'optional', options: { optional: o } as any })),
    );
    fc.assert(fc.property(hostile, fc.boolean(), ({ prop, options: o }, secret) => {
      const factory = secret ? 'ConfigFiles.fromSecret' : 'ConfigFiles.fromConfigMap';
      let made: ConfigFiles | undefined;
      try {
        made = secret ? ConfigFiles.fromSecret('s', o) : ConfigFiles.fromConfigMap('c', o);
      } catch (e) {
        if (!(e instanceof MlopsValidationError)) throw e;
        expectRefused(() => { throw e; }, factory, prop);
        return;
      }
      checker.check((chart) => new GpuTrainingJob(chart, 'j', { image: IMAGE, accelerator: Accelerator.none(), files: [{ source: made!, path: '/etc/app' }] }), 'ml');
    }), params(150));
  });

  test('hostile mount paths and envFrom prefixes: refused naming the prop, or valid', () => {
    const checker = new ValidChecker();
    fc.assert(fc.property(a.hostileValue, (path) => {
      expectRefusedOrValid(checker, 'ml', (chart) => new GpuTrainingJob(chart, 'j', {
        image: IMAGE, accelerator: Accelerator.none(), files: [{ source: ConfigFiles.fromConfigMap('c'), path: path as string }],
      }), "GpuTrainingJob 'j'", 'files');
    }), params(150));
    fc.assert(fc.property(a.hostileValue, (prefix) => {
      let env: ConfigEnv | undefined;
      try {
        env = ConfigEnv.fromConfigMap('c', { prefix: prefix as string });
      } catch (e) {
        expectRefused(() => { throw e; }, 'ConfigEnv.fromConfigMap', 'prefix');
        return;
      }
      checker.check((chart) => new QueueWorker(chart, 'w', { image: IMAGE, envFrom: [env!] }), 'ml');
    }), params(100));
  });
});
