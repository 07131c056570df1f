import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AccessMode, AzureCachingMode, AzureDiskSku, ClaimPurpose, FilesystemType, GcePdType, GpuTrainingJob, HyperdiskType, MlStorage,
  MlStorageProps, PersistentVolumeSource, ReclaimPolicy, StorageClassOptions, StorageClassRef, StorageProvisioner, VolumeBindingMode,
} from '../../lib';
import * as a from './arbitraries';
import { expectRefused, expectRefusedOrValid, params, setPath, ValidChecker } from './harness';

const fsType = fc.option(fc.constantFrom(FilesystemType.XFS, ...Object.values(FilesystemType)), { nil: undefined });

/** Provisioners of every kind, with options inside their limits. */
const provisioner: fc.Arbitrary<StorageProvisioner> = fc.oneof(
  fc.record({
    iops: fc.option(fc.integer({ min: 3000, max: 16000 }), { nil: undefined }),
    throughputQuarter: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    fsType, encrypted: fc.option(fc.boolean(), { nil: undefined }),
  }).map((o) => StorageProvisioner.awsEbsGp3({
    iops: o.iops, fsType: o.fsType, encrypted: o.encrypted,
    throughputMiBps: o.throughputQuarter === undefined ? undefined : 125 + Math.floor(o.throughputQuarter * (Math.min(2000, Math.floor((o.iops ?? 3000) / 4)) - 125)),
  })),
  fc.oneof(
    fc.integer({ min: 100, max: 64000 }).map((iops) => StorageProvisioner.awsEbsIo2({ iops })),
    fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.boolean()).map(([iopsPerGb, auto]) => StorageProvisioner.awsEbsIo2({ iopsPerGb, allowAutoIopsPerGbIncrease: auto || undefined })),
  ),
  fc.record({
    fileSystemId: fc.stringMatching(/^[0-9a-f]{8,17}$/).map((h) => `fs-${h}`),
    directoryPerms: fc.option(fc.constantFrom('700', '750', '0770'), { nil: undefined }),
    uid: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    gid: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    basePath: fc.option(a.mountPath, { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => StorageProvisioner.awsEfs(o)),
  fc.record({ type: fc.option(fc.constantFrom(...Object.values(GcePdType)), { nil: undefined }), regional: fc.option(fc.boolean(), { nil: undefined }), fsType }, { noNullPrototype: true })
    .map((o) => StorageProvisioner.gcePersistentDisk(o)),
  fc.constantFrom(...Object.values(HyperdiskType)).chain((type) => fc.record({
    iops: type === HyperdiskType.BALANCED || type === HyperdiskType.EXTREME ? fc.option(fc.integer({ min: 3000, max: 10000 }), { nil: undefined }) : fc.constant(undefined),
    throughputMiBps: type !== HyperdiskType.EXTREME ? fc.option(fc.integer({ min: 140, max: 600 }), { nil: undefined }) : fc.constant(undefined),
  }).map((o) => StorageProvisioner.gceHyperdisk({ type, ...o }))),
  fc.constantFrom(...Object.values(AzureDiskSku)).chain((sku) => {
    const provisioned = sku === AzureDiskSku.ULTRA_SSD_LRS || (sku as string) === 'PremiumV2_LRS';
    return fc.record({
      cachingMode: provisioned ? fc.constant(AzureCachingMode.NONE) : fc.option(fc.constantFrom(...Object.values(AzureCachingMode)), { nil: undefined }),
      iops: provisioned ? fc.option(fc.integer({ min: 3000, max: 20000 }), { nil: undefined }) : fc.constant(undefined),
    }).map((o) => StorageProvisioner.azureDisk({ sku, ...o }));
  }),
  fc.tuple(fc.oneof(a.dnsSubdomain, fc.constantFrom('10.0.0.5', '192.168.1.20')), a.mountPath, fc.option(fc.constant(['nfsvers=4.1', 'hard']).map((x) => [...x]), { nil: undefined }))
    .map(([server, share, mountOptions]) => StorageProvisioner.nfs({ server, share, mountOptions })),
  fc.record({
    provisioner: fc.constantFrom('cephfs.csi.ceph.com', 'rbd.csi.ceph.com', 'lustre.csi.aws.com'),
    parameters: fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_.-]{0,10}$/), fc.string({ maxLength: 10 }).filter((s) => !/undefined|NaN|\[object /.test(s)), { maxKeys: 3, noNullPrototype: true }),
    accessModes: fc.option(fc.constantFrom([AccessMode.READ_WRITE_MANY], [AccessMode.READ_WRITE_ONCE], [AccessMode.READ_WRITE_ONCE, AccessMode.READ_ONLY_MANY]).map((m) => [...m]), { nil: undefined }),
    topologyConstrained: fc.option(fc.boolean(), { nil: undefined }),
    supportsExpansion: fc.option(fc.boolean(), { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => StorageProvisioner.custom(o)),
);

const volumeSource: fc.Arbitrary<PersistentVolumeSource> = fc.oneof(
  fc.tuple(fc.oneof(a.dnsSubdomain, fc.constant('10.0.0.5')), a.mountPath).map(([server, path]) => PersistentVolumeSource.nfs({ server, path })),
  fc.tuple(fc.constantFrom('ebs.csi.aws.com', 'pd.csi.storage.gke.io'), fc.stringMatching(/^[a-z0-9-]{4,20}$/)).map(([driver, volumeHandle]) => PersistentVolumeSource.csi({ driver, volumeHandle })),
  fc.record({
    bucket: fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/),
    region: fc.option(fc.constantFrom('us-east-1', 'eu-west-2'), { nil: undefined }),
    prefix: fc.option(fc.constantFrom('datasets/', 'a/b/'), { nil: undefined }),
  }, { noNullPrototype: true }).map((o) => PersistentVolumeSource.s3Bucket(o)),
);

interface ClassSpec { readonly name: string; readonly options: StorageClassOptions }
interface ClaimSpec { readonly name: string; readonly purpose: ClaimPurpose; readonly sizeGi: number; readonly target: number; readonly readWriteMany: boolean }
interface Case {
  readonly id: string;
  readonly chartNamespace?: string;
  readonly props: MlStorageProps;
  readonly classes: ClassSpec[];
  readonly volumes: Array<{ name: string; source: PersistentVolumeSource; capacityGi: number; zone?: string }>;
  readonly claims: ClaimSpec[];
  /** Mount the first claim in a training job. */
  readonly mount: boolean;
}

const validCase: fc.Arbitrary<Case> = fc.record({
  id: a.dnsLabel(20),
  nsMode: fc.constantFrom('chart', 'prop', 'none'),
  namespace: a.dnsLabel(20),
  name: fc.option(a.dnsLabel(20), { nil: undefined }),
  labels: a.labels,
  classNames: fc.uniqueArray(a.dnsSubdomain, { maxLength: 3 }),
  classOptions: fc.array(fc.record({
    provisioner,
    reclaimPolicy: fc.option(fc.constantFrom(ReclaimPolicy.RETAIN, ReclaimPolicy.DELETE), { nil: undefined }),
    volumeBindingMode: fc.option(fc.constantFrom(VolumeBindingMode.IMMEDIATE, VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER), { nil: undefined }),
    allowVolumeExpansion: fc.option(fc.boolean(), { nil: undefined }),
    isDefault: fc.option(fc.boolean(), { nil: undefined }),
  }, { noNullPrototype: true }), { minLength: 3, maxLength: 3 }),
  volumeNames: fc.uniqueArray(a.dnsSubdomain, { maxLength: 2 }),
  volumeSources: fc.array(fc.tuple(volumeSource, fc.integer({ min: 100, max: 2000 }), fc.option(fc.constantFrom('us-east-1a', 'europe-west4-b'), { nil: undefined })), { minLength: 2, maxLength: 2 }),
  claimNames: fc.uniqueArray(a.dnsSubdomain, { maxLength: 4 }),
  claimSpecs: fc.array(fc.record({
    purpose: fc.constantFrom(ClaimPurpose.DATASET, ClaimPurpose.MODEL, ClaimPurpose.CHECKPOINT),
    sizeGi: fc.integer({ min: 100, max: 4096 }),
    target: fc.nat(),
    readWriteMany: fc.boolean(),
  }), { minLength: 4, maxLength: 4 }),
  mount: fc.boolean(),
}).map((c): Case => ({
  id: c.id,
  chartNamespace: c.nsMode === 'chart' ? c.namespace : undefined,
  props: { namespace: c.nsMode === 'prop' ? c.namespace : undefined, name: c.name, labels: c.labels },
  classes: c.classNames.map((name, i) => ({ name, options: c.classOptions[i] })),
  // Pre-provisioned volumes need a namespace for their claim reference.
  volumes: c.nsMode === 'none' ? [] : c.volumeNames.map((name, i) => ({ name, source: c.volumeSources[i][0], capacityGi: c.volumeSources[i][1], zone: c.volumeSources[i][2] })),
  claims: c.claimNames.map((name, i) => ({ name, ...c.claimSpecs[i] })),
  mount: c.mount,
}));

/** Builds the storage: each claim uses a class, a free volume, or the default class, sized to fit. */
function synthCase(c: Case) {
  return (chart: Chart) => {
    const storage = new MlStorage(chart, c.id, c.props);
    const classes: StorageClassRef[] = c.classes.map((k) => storage.addStorageClass(k.name, k.options));
    const volumes = c.volumes.map((pv) => ({ ref: storage.addPersistentVolume(pv.name, { source: pv.source, capacity: `${pv.capacityGi}Gi`, zone: pv.zone }), spec: pv, used: false }));
    for (const claim of c.claims) {
      const options = c.claims.length > 0 ? claim.target % (classes.length + volumes.length + 1) : 0;
      if (options < classes.length) {
        const storageClass = classes[options];
        const modes = storageClass.provisioner?.accessModes;
        const accessModes = claim.readWriteMany && modes?.includes(AccessMode.READ_WRITE_MANY) ? [AccessMode.READ_WRITE_MANY] : undefined;
        storage.addClaim(claim.name, { purpose: claim.purpose, size: `${claim.sizeGi}Gi`, storageClass, accessModes });
      } else if (options < classes.length + volumes.length && !volumes[options - classes.length].used) {
        const volume = volumes[options - classes.length];
        volume.used = true;
        storage.addClaim(claim.name, { purpose: claim.purpose, size: `${Math.min(claim.sizeGi, volume.spec.capacityGi)}Gi`, volume: volume.ref });
      } else {
        storage.addClaim(claim.name, { purpose: claim.purpose, size: `${claim.sizeGi}Gi` });
      }
    }
    if (c.mount && c.claims.length > 0) {
      new GpuTrainingJob(chart, 'train', {
        image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', namespace: storage.namespace === undefined ? undefined : c.props.namespace,
        dataset: { claim: storage.claim(c.claims[0].name), path: '/data' },
      });
    }
  };
}

/** One broken call on a valid storage: what it does, and the prop the error must name. */
interface StorageBreak { readonly prop: string; readonly apply: (storage: MlStorage) => void; toString(): string }
const brk = <V>(arb: fc.Arbitrary<V>, prop: string | ((v: V) => string), apply: (storage: MlStorage, v: V) => void): fc.Arbitrary<StorageBreak> =>
  arb.map((v) => ({ prop: typeof prop === 'string' ? prop : prop(v), apply: (s: MlStorage) => apply(s, v), toString: () => `${typeof prop === 'string' ? prop : prop(v)}: ${fc.stringify(v)}` }));
const gp3 = () => StorageProvisioner.awsEbsGp3();

const storageBreaks: fc.Arbitrary<StorageBreak> = fc.oneof(
  brk(a.badSubdomain, 'storageClasses', (s, name) => s.addStorageClass(name, { provisioner: gp3() })),
  brk(fc.constantFrom<unknown>(undefined, 'ebs.csi.aws.com', {}), 'storageClasses.fast.provisioner', (s, provisioner) => s.addStorageClass('fast', { provisioner: provisioner as StorageProvisioner })),
  brk(fc.constantFrom<unknown>('Keep', 'retain'), 'storageClasses.fast.reclaimPolicy', (s, reclaimPolicy) => s.addStorageClass('fast', { provisioner: gp3(), reclaimPolicy: reclaimPolicy as ReclaimPolicy })),
  brk(fc.constantFrom<unknown>('Later', 'immediate'), 'storageClasses.fast.volumeBindingMode', (s, volumeBindingMode) => s.addStorageClass('fast', { provisioner: gp3(), volumeBindingMode: volumeBindingMode as VolumeBindingMode })),
  brk(fc.constant('dup'), 'storageClasses', (s, name) => { s.addStorageClass(name, { provisioner: gp3() }); s.addStorageClass(name, { provisioner: gp3() }); }),
  brk(a.badSubdomain, 'claims', (s, name) => s.addClaim(name, { purpose: ClaimPurpose.DATASET, size: '10Gi' })),
  brk(fc.constant('dup'), 'claims', (s, name) => { s.addClaim(name, { purpose: ClaimPurpose.DATASET, size: '10Gi' }); s.addClaim(name, { purpose: ClaimPurpose.DATASET, size: '10Gi' }); }),
  brk(fc.constantFrom<unknown>('data', undefined), 'claims.c.purpose', (s, purpose) => s.addClaim('c', { purpose: purpose as ClaimPurpose, size: '10Gi' })),
  brk(a.badQuantity, 'claims.c.size', (s, size) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: size as string })),
  brk(fc.constantFrom<unknown>([], ['ReadWriteSometimes'], [AccessMode.READ_WRITE_ONCE_POD, AccessMode.READ_WRITE_ONCE], 'ReadWriteOnce'), 'claims.c.accessModes', (s, accessModes) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: '10Gi', accessModes: accessModes as AccessMode[] })),
  brk(fc.constant(AccessMode.READ_WRITE_MANY), 'claims.c.accessModes', (s, mode) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: '100Gi', storageClass: s.addStorageClass('ebs', { provisioner: gp3() }), accessModes: [mode] })),
  brk(fc.constantFrom<unknown>('fast', { storageClassName: 'fast' }), 'claims.c.storageClass', (s, storageClass) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: '10Gi', storageClass: storageClass as StorageClassRef })),
  brk(fc.constant(20000), 'claims.c.size', (s, iops) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: '10Gi', storageClass: s.addStorageClass('fast', { provisioner: StorageProvisioner.awsEbsGp3({ iops }) }) })),
  brk(fc.constantFrom('100Ti', '65Ti'), 'claims.c.size', (s, size) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size, storageClass: s.addStorageClass('pd', { provisioner: StorageProvisioner.gcePersistentDisk() }) })),
  brk(fc.constant('2000Gi'), 'claims.c.size', (s, size) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size, volume: s.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: '100Gi' }) })),
  brk(fc.constant(AccessMode.READ_WRITE_ONCE), 'claims.c.accessModes', (s, mode) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: '1Gi', accessModes: [mode], volume: s.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: '100Gi' }) })),
  brk(fc.constant(null), 'claims.d.volume', (s) => {
    const volume = s.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: '100Gi' });
    s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: '1Gi', volume });
    s.addClaim('d', { purpose: ClaimPurpose.DATASET, size: '1Gi', volume });
  }),
  brk(fc.constant(null), 'claims.c.storageClass', (s) => s.addClaim('c', { purpose: ClaimPurpose.DATASET, size: '1Gi', storageClass: StorageClassRef.fromName('x'), volume: s.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: '100Gi' }) })),
  brk(a.badSubdomain, 'persistentVolumes', (s, name) => s.addPersistentVolume(name, { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: '1Ti' })),
  brk(fc.constantFrom<unknown>(undefined, 'nfs://x'), 'persistentVolumes.pv.source', (s, source) => s.addPersistentVolume('pv', { source: source as PersistentVolumeSource, capacity: '1Ti' })),
  brk(a.badQuantity, 'persistentVolumes.pv.capacity', (s, capacity) => s.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: capacity as string })),
  brk(a.badSubdomain, 'persistentVolumes.pv.zone', (s, zone) => s.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: '1Ti', zone })),
  brk(a.dnsSubdomain, 'claim', (s, name) => s.claim(`${name}-missing`)),
);

const badProvisionerCall: fc.Arbitrary<{ call: () => unknown; subject: string; prop: string }> = fc.oneof(
  fc.constantFrom(2999, 80001, 3000.5).map((iops) => ({ call: () => StorageProvisioner.awsEbsGp3({ iops }), subject: 'StorageProvisioner.awsEbsGp3', prop: 'iops' })),
  fc.constantFrom(124, 2001).map((t) => ({ call: () => StorageProvisioner.awsEbsGp3({ iops: 16000, throughputMiBps: t }), subject: 'StorageProvisioner.awsEbsGp3', prop: 'throughputMiBps' })),
  fc.constant(1000).map((t) => ({ call: () => StorageProvisioner.awsEbsGp3({ iops: 3000, throughputMiBps: t }), subject: 'StorageProvisioner.awsEbsGp3', prop: 'throughputMiBps' })),
  fc.constantFrom('key', 'arn:aws:kms:eu-west-1:1:alias/x').map((kmsKeyId) => ({ call: () => StorageProvisioner.awsEbsGp3({ kmsKeyId }), subject: 'StorageProvisioner.awsEbsGp3', prop: 'kmsKeyId' })),
  fc.constant(null).map(() => ({ call: () => StorageProvisioner.awsEbsIo2({}), subject: 'StorageProvisioner.awsEbsIo2', prop: 'iops' })),
  fc.constant(null).map(() => ({ call: () => StorageProvisioner.awsEbsIo2({ iops: 1000, iopsPerGb: 10 }), subject: 'StorageProvisioner.awsEbsIo2', prop: 'iops' })),
  fc.constantFrom(99, 256001).map((iops) => ({ call: () => StorageProvisioner.awsEbsIo2({ iops }), subject: 'StorageProvisioner.awsEbsIo2', prop: 'iops' })),
  fc.constantFrom('fs-XYZ', 'fs-', '12345', '').map((fileSystemId) => ({ call: () => StorageProvisioner.awsEfs({ fileSystemId }), subject: 'StorageProvisioner.awsEfs', prop: 'fileSystemId' })),
  fc.constantFrom('rwx', '999', '7').map((directoryPerms) => ({ call: () => StorageProvisioner.awsEfs({ fileSystemId: 'fs-12345678', directoryPerms }), subject: 'StorageProvisioner.awsEfs', prop: 'directoryPerms' })),
  fc.constantFrom('relative', '/a/../b').map((basePath) => ({ call: () => StorageProvisioner.awsEfs({ fileSystemId: 'fs-12345678', basePath }), subject: 'StorageProvisioner.awsEfs', prop: 'basePath' })),
  fc.constantFrom<unknown>('pd-fast', 'SSD').map((type) => ({ call: () => StorageProvisioner.gcePersistentDisk({ type: type as GcePdType }), subject: 'StorageProvisioner.gcePersistentDisk', prop: 'type' })),
  fc.constantFrom<unknown>(undefined, 'hyperdisk').map((type) => ({ call: () => StorageProvisioner.gceHyperdisk({ type: type as HyperdiskType }), subject: 'StorageProvisioner.gceHyperdisk', prop: 'type' })),
  fc.constant(null).map(() => ({ call: () => StorageProvisioner.gceHyperdisk({ type: HyperdiskType.THROUGHPUT, iops: 5000 }), subject: 'StorageProvisioner.gceHyperdisk', prop: 'iops' })),
  fc.constant(null).map(() => ({ call: () => StorageProvisioner.gceHyperdisk({ type: HyperdiskType.EXTREME, throughputMiBps: 500 }), subject: 'StorageProvisioner.gceHyperdisk', prop: 'throughputMiBps' })),
  fc.constantFrom<unknown>('Premium', 'standard_lrs').map((sku) => ({ call: () => StorageProvisioner.azureDisk({ sku: sku as AzureDiskSku }), subject: 'StorageProvisioner.azureDisk', prop: 'sku' })),
  fc.constant(null).map(() => ({ call: () => StorageProvisioner.azureDisk({ sku: AzureDiskSku.PREMIUM_LRS, iops: 5000 }), subject: 'StorageProvisioner.azureDisk', prop: 'iops' })),
  fc.constant(null).map(() => ({ call: () => StorageProvisioner.azureDisk({ sku: AzureDiskSku.ULTRA_SSD_LRS, cachingMode: AzureCachingMode.READ_ONLY }), subject: 'StorageProvisioner.azureDisk', prop: 'cachingMode' })),
  fc.constantFrom('', 'nfs server', 'nfs:2049').map((server) => ({ call: () => StorageProvisioner.nfs({ server, share: '/x' }), subject: 'StorageProvisioner.nfs', prop: 'server' })),
  fc.constantFrom('x', '/a/../b', '/a b').map((share) => ({ call: () => StorageProvisioner.nfs({ server: 'nfs', share }), subject: 'StorageProvisioner.nfs', prop: 'share' })),
  fc.constantFrom('kubernetes.io/aws-ebs', 'kubernetes.io/gce-pd', 'Bad Driver', '').map((p) => ({ call: () => StorageProvisioner.custom({ provisioner: p }), subject: 'StorageProvisioner.custom', prop: 'provisioner' })),
  fc.constantFrom<unknown>(1, true, null).map((value) => ({ call: () => StorageProvisioner.custom({ provisioner: 'x.csi.io', parameters: { k: value as string } }), subject: 'StorageProvisioner.custom', prop: 'parameters.k' })),
  a.badSubdomain.map((name) => ({ call: () => StorageClassRef.fromName(name), subject: 'StorageClassRef.fromName', prop: 'storageClassName' })),
  fc.constantFrom('', 'a b', 'nfs:1').map((server) => ({ call: () => PersistentVolumeSource.nfs({ server, path: '/x' }), subject: 'PersistentVolumeSource.nfs', prop: 'server' })),
  fc.constantFrom('Bad', '').map((driver) => ({ call: () => PersistentVolumeSource.csi({ driver, volumeHandle: 'v' }), subject: 'PersistentVolumeSource.csi', prop: 'driver' })),
  fc.constantFrom<unknown>('', undefined).map((volumeHandle) => ({ call: () => PersistentVolumeSource.csi({ driver: 'ebs.csi.aws.com', volumeHandle: volumeHandle as string }), subject: 'PersistentVolumeSource.csi', prop: 'volumeHandle' })),
  fc.constantFrom('B', 'ab', 'a_b').map((bucket) => ({ call: () => PersistentVolumeSource.s3Bucket({ bucket }), subject: 'PersistentVolumeSource.s3Bucket', prop: 'bucket' })),
  fc.constantFrom('/abs/', 'noslash').map((prefix) => ({ call: () => PersistentVolumeSource.s3Bucket({ bucket: 'data', prefix }), subject: 'PersistentVolumeSource.s3Bucket', prop: 'prefix' })),
);

/** A hostile value in one option of a storage class, a volume or a claim, with the prop the error must name. */
const hostileCall: fc.Arbitrary<StorageBreak> = fc.tuple(
  fc.constantFrom(
    ['storageClasses.fast', 'provisioner'], ['storageClasses.fast', 'reclaimPolicy'], ['storageClasses.fast', 'volumeBindingMode'],
    ['storageClasses.fast', 'allowVolumeExpansion'], ['storageClasses.fast', 'mountOptions'], ['storageClasses.fast', 'isDefault'],
    ['persistentVolumes.pv', 'source'], ['persistentVolumes.pv', 'capacity'], ['persistentVolumes.pv', 'accessModes'],
    ['persistentVolumes.pv', 'mountOptions'], ['persistentVolumes.pv', 'zone'], ['claims.c', 'purpose'], ['claims.c', 'size'],
    ['claims.c', 'accessModes'], ['claims.c', 'storageClass'], ['claims.c', 'volume'],
  ),
  a.hostileValue,
).map(([[owner, field], value]) => ({
  prop: `${owner}.${field}`,
  toString: () => `${owner}.${field} = ${fc.stringify(value)}`,
  apply: (s: MlStorage) => {
    if (owner === 'storageClasses.fast') s.addStorageClass('fast', setPath({ provisioner: gp3() }, field, value));
    else if (owner === 'persistentVolumes.pv') s.addPersistentVolume('pv', setPath({ source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/x' }), capacity: '1Ti' }, field, value));
    else s.addClaim('c', setPath({ purpose: ClaimPurpose.DATASET, size: '10Gi' }, field, value));
  },
}));

describe('MlStorage properties', () => {
  const checker = new ValidChecker();

  test('valid classes, volumes and claims (one mounted by a training job) synthesize into valid manifests', () => {
    fc.assert(fc.property(validCase, (c) => {
      const objects = checker.check(synthCase(c), c.chartNamespace);
      expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(c.claims.length);
      // Datasets and models are retained; a class deletes its volumes only when every claim of it holds checkpoints.
      for (const sc of objects.filter((o) => o.kind === 'StorageClass' && o.reclaimPolicy === 'Delete')) {
        const spec = c.classes.find((k) => k.name === sc.metadata.name)!;
        if (spec.options.reclaimPolicy === undefined) {
          const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim' && o.spec.storageClassName === sc.metadata.name);
          expect(claims.every((claim) => claim.metadata.labels['app.kubernetes.io/component'] === 'checkpoint')).toBe(true);
        }
      }
    }), params(500));
  });

  test('one broken call on a valid storage is refused, naming MlStorage and the prop', () => {
    fc.assert(fc.property(validCase, storageBreaks, (c, b) => {
      expectRefused(() => {
        const chart = new Chart(Testing.app(), 'test', c.chartNamespace === undefined ? {} : { namespace: c.chartNamespace });
        const storage = new MlStorage(chart, c.id, { ...c.props, namespace: c.props.namespace ?? 'ml' });
        b.apply(storage);
        Testing.synth(chart);
      }, `MlStorage '${c.id}'`, b.prop);
    }), params(1000));
  });

  test('a hostile value in any option of a class, volume or claim is refused naming it, or synthesizes valid manifests', () => {
    fc.assert(fc.property(validCase, hostileCall, (c, h) => {
      const build = (chart: Chart) => h.apply(new MlStorage(chart, c.id, { ...c.props, namespace: c.props.namespace ?? 'ml' }));
      expectRefusedOrValid(checker, c.chartNamespace, build, `MlStorage '${c.id}'`, h.prop);
    }), params(300));
  });

  test('broken MlStorage props are refused', () => {
    fc.assert(fc.property(a.dnsLabel(20), fc.constantFrom('namespace', 'name', 'labels'), a.badDnsName, a.badLabels, (id, prop, name, labels) => {
      const props = prop === 'labels' ? { labels } : { [prop]: name };
      expectRefused(() => new MlStorage(new Chart(Testing.app(), 'test'), id, props), `MlStorage '${id}'`, prop);
    }), params(100));
  });

  test('broken provisioner and volume source arguments are refused by the factory, naming the argument', () => {
    fc.assert(fc.property(badProvisionerCall, (b) => expectRefused(b.call, b.subject, b.prop)), params(200));
  });
});
