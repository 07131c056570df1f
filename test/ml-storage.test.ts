import { Chart, Testing } from 'cdk8s';
import { build as buildStorageExamples } from '../examples/storage';
import {
  AccessMode, AzureCachingMode, AzureDiskSku, ClaimPurpose, FilesystemType, GcePdType, GpuTrainingJob, HyperdiskType,
  MlStorage, PersistentVolumeSource, ReclaimPolicy, StorageClassRef, StorageProvisioner, VolumeBindingMode,
} from '../lib';
// Internals, by their file path: they are not part of the public API.
import { checkMounts, resolveMount, Validator } from '../lib/core';
import { expectValidManifests } from './support/validate';

const IMAGE = 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime';

function setup(namespace: string | null = 'ml') {
  const chart = new Chart(Testing.app(), 'test', { namespace: namespace ?? undefined });
  const storage = new MlStorage(chart, 'storage');
  return { chart, storage };
}

function find(objects: any[], kind: string, name: string) {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

/** The StorageClass a provisioner renders to, with one claim of `purpose` using it. */
function classOf(provisioner: StorageProvisioner, purpose = ClaimPurpose.DATASET, size = '100Gi') {
  const { chart, storage } = setup();
  const sc = storage.addStorageClass('sc', { provisioner });
  storage.addClaim('claim', { purpose, size, storageClass: sc });
  const objects = Testing.synth(chart);
  return { storageClass: find(objects, 'StorageClass', 'sc'), claim: find(objects, 'PersistentVolumeClaim', 'claim') };
}

describe('MlStorage', () => {
  test('the seed storage mounted by a training job (snapshot)', () => {
    const { chart, storage } = setup();
    const pv = storage.addPersistentVolume('training-data-pv', {
      source: PersistentVolumeSource.nfs({ server: 'nfs-server.example.com', path: '/training-data' }),
      capacity: '1Ti',
    });
    storage.addClaim('training-data-claim', { purpose: ClaimPurpose.DATASET, size: '500Gi', volume: pv });
    const fast = storage.addStorageClass('high-performance', { provisioner: StorageProvisioner.awsEbsIo2({ iopsPerGb: 50 }) });
    storage.addClaim('model-storage-claim', { purpose: ClaimPurpose.MODEL, size: '200Gi', storageClass: fast });
    const scratch = storage.addStorageClass('checkpoints', { provisioner: StorageProvisioner.awsEbsGp3() });
    storage.addClaim('checkpoints', { purpose: ClaimPurpose.CHECKPOINT, size: '50Gi', storageClass: scratch });
    new GpuTrainingJob(chart, 'train', {
      image: IMAGE,
      dataset: { claim: storage.claim('training-data-claim'), path: '/data' },
      modelOutput: { claim: storage.claim('model-storage-claim'), path: '/models' },
      checkpoints: { claim: storage.claim('checkpoints'), path: '/checkpoints' },
    });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('the storage examples: seed objects done right, CSI provisioners only, claims bound to their volumes', () => {
    const app = Testing.app();
    buildStorageExamples(app);
    const objects = app.charts.flatMap((c) => Testing.synth(c));
    for (const sc of objects.filter((o) => o.kind === 'StorageClass')) expect(sc.provisioner).not.toMatch(/^kubernetes\.io\//);
    const fast = find(objects, 'StorageClass', 'high-performance');
    expect(fast).toMatchObject({ provisioner: 'ebs.csi.aws.com', parameters: { type: 'io2', iopsPerGB: '50' }, reclaimPolicy: 'Retain' });
    expect(find(objects, 'PersistentVolume', 'training-data-pv').spec).toMatchObject({
      capacity: { storage: '1Ti' }, accessModes: ['ReadWriteMany'], claimRef: { name: 'training-data-claim', namespace: 'ml-data' },
    });
    expect(find(objects, 'PersistentVolumeClaim', 'training-data-claim').spec).toMatchObject({
      resources: { requests: { storage: '500Gi' } }, accessModes: ['ReadWriteMany'], volumeName: 'training-data-pv', storageClassName: '',
    });
    // The seed's ReadWriteMany "S3" claim: on the Mountpoint for S3 driver, not an EBS class.
    const s3 = find(objects, 'PersistentVolumeClaim', 'ml-dataset');
    expect(s3.spec).toMatchObject({ accessModes: ['ReadWriteMany'], volumeName: 'ml-dataset-s3' });
    expect(find(objects, 'PersistentVolume', 'ml-dataset-s3').spec.csi.driver).toBe('s3.csi.aws.com');
  });

  describe('StorageClass presets', () => {
    test('EBS gp3 through the CSI driver, encrypted, zonal, expandable', () => {
      const { storageClass } = classOf(StorageProvisioner.awsEbsGp3({ iops: 6000, throughputMiBps: 500, fsType: FilesystemType.XFS }));
      expect(storageClass.provisioner).toBe('ebs.csi.aws.com');
      expect(storageClass.parameters).toEqual({
        'type': 'gp3', 'iops': '6000', 'throughput': '500', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'xfs',
      });
      expect(storageClass.volumeBindingMode).toBe('WaitForFirstConsumer');
      expect(storageClass.allowVolumeExpansion).toBe(true);
      expect(storageClass.metadata.namespace).toBeUndefined();
    });

    test('EBS io2 with IOPS per GiB or fixed IOPS and a KMS key', () => {
      expect(classOf(StorageProvisioner.awsEbsIo2({ iopsPerGb: 50 })).storageClass.parameters).toMatchObject({ type: 'io2', iopsPerGB: '50' });
      const kmsKeyId = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const fixed = classOf(StorageProvisioner.awsEbsIo2({ iops: 64000, kmsKeyId })).storageClass;
      expect(fixed.parameters).toMatchObject({ type: 'io2', iops: '64000', encrypted: 'true', kmsKeyId });
      expect(fixed.parameters.iopsPerGB).toBeUndefined();
    });

    test('GCE persistent disk and Hyperdisk', () => {
      const pd = classOf(StorageProvisioner.gcePersistentDisk({ type: GcePdType.SSD, regional: true })).storageClass;
      expect(pd.provisioner).toBe('pd.csi.storage.gke.io');
      expect(pd.parameters).toMatchObject({ 'type': 'pd-ssd', 'replication-type': 'regional-pd' });
      expect(pd.volumeBindingMode).toBe('WaitForFirstConsumer');
      const hd = classOf(StorageProvisioner.gceHyperdisk({ type: HyperdiskType.BALANCED, iops: 5000, throughputMiBps: 250 })).storageClass;
      expect(hd.parameters).toMatchObject({
        'type': 'hyperdisk-balanced', 'provisioned-iops-on-create': '5000', 'provisioned-throughput-on-create': '250Mi',
      });
    });

    test('Azure Disk by SKU, with caching None where the SKU requires it', () => {
      const premium = classOf(StorageProvisioner.azureDisk()).storageClass;
      expect(premium.provisioner).toBe('disk.csi.azure.com');
      expect(premium.parameters).toMatchObject({ skuName: 'Premium_LRS', cachingMode: 'ReadOnly' });
      const v2 = classOf(StorageProvisioner.azureDisk({ sku: AzureDiskSku.PREMIUM_V2_LRS, iops: 8000, throughputMBps: 300 })).storageClass;
      expect(v2.parameters).toMatchObject({ skuName: 'PremiumV2_LRS', cachingMode: 'None', DiskIOPSReadWrite: '8000', DiskMBpsReadWrite: '300' });
    });

    test('NFS and EFS: shared, bound at once, not expandable, ReadWriteMany claims by default', () => {
      const nfs = classOf(StorageProvisioner.nfs({ server: '10.0.0.5', share: '/exports/ml', mountOptions: ['nfsvers=4.1'] }));
      expect(nfs.storageClass).toMatchObject({
        provisioner: 'nfs.csi.k8s.io',
        parameters: { server: '10.0.0.5', share: '/exports/ml' },
        volumeBindingMode: 'Immediate',
        allowVolumeExpansion: false,
        mountOptions: ['nfsvers=4.1'],
      });
      expect(nfs.claim.spec.accessModes).toEqual(['ReadWriteMany']);
      const efs = classOf(StorageProvisioner.awsEfs({ fileSystemId: 'fs-0123456789abcdef0' }));
      expect(efs.storageClass.provisioner).toBe('efs.csi.aws.com');
      expect(efs.storageClass.parameters).toEqual({
        provisioningMode: 'efs-ap', fileSystemId: 'fs-0123456789abcdef0', directoryPerms: '700', uid: '1000', gid: '1000',
      });
      expect(efs.claim.spec.accessModes).toEqual(['ReadWriteMany']);
    });

    test('a custom CSI driver with its parameters', () => {
      const { storageClass, claim } = classOf(StorageProvisioner.custom({
        provisioner: 'cephfs.csi.ceph.com',
        parameters: { clusterID: 'ceph', fsName: 'ml' },
        accessModes: [AccessMode.READ_WRITE_MANY, AccessMode.READ_WRITE_ONCE],
        topologyConstrained: false,
      }));
      expect(storageClass).toMatchObject({ provisioner: 'cephfs.csi.ceph.com', parameters: { clusterID: 'ceph', fsName: 'ml' }, volumeBindingMode: 'Immediate' });
      expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    });

    test('explicit binding mode, expansion and default-class annotation win', () => {
      const { chart, storage } = setup();
      storage.addStorageClass('sc', {
        provisioner: StorageProvisioner.awsEbsGp3(),
        volumeBindingMode: VolumeBindingMode.IMMEDIATE,
        allowVolumeExpansion: false,
        isDefault: true,
      });
      const sc = find(Testing.synth(chart), 'StorageClass', 'sc');
      expect(sc).toMatchObject({ volumeBindingMode: 'Immediate', allowVolumeExpansion: false });
      expect(sc.metadata.annotations).toEqual({ 'storageclass.kubernetes.io/is-default-class': 'true' });
    });
  });

  describe('every provider validates (Kubernetes 1.27 schema, no unknown field)', () => {
    const providers: Array<[string, () => StorageProvisioner, string]> = [
      ['EBS gp3', () => StorageProvisioner.awsEbsGp3({ iops: 6000, throughputMiBps: 500, fsType: FilesystemType.XFS, kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc' }), '100Gi'],
      ['EBS io2', () => StorageProvisioner.awsEbsIo2({ iopsPerGb: 10, allowAutoIopsPerGbIncrease: true }), '4Gi'],
      ['EFS', () => StorageProvisioner.awsEfs({ fileSystemId: 'fs-0123456789abcdef0', basePath: '/ml' }), '1Ti'],
      ['GCE PD', () => StorageProvisioner.gcePersistentDisk({ type: GcePdType.SSD, regional: true, kmsKey: 'projects/p/locations/l/keyRings/r/cryptoKeys/k' }), '200Gi'],
      ['GCE Hyperdisk', () => StorageProvisioner.gceHyperdisk({ type: HyperdiskType.ML, throughputMiBps: 400 }), '1Ti'],
      ['Azure Disk', () => StorageProvisioner.azureDisk({ sku: AzureDiskSku.ULTRA_SSD_LRS, iops: 10000, throughputMBps: 500 }), '512Gi'],
      ['NFS', () => StorageProvisioner.nfs({ server: 'nfs.example.com', share: '/exports/ml', mountOptions: ['nfsvers=4.1'] }), '1Ti'],
      ['custom CSI driver', () => StorageProvisioner.custom({ provisioner: 'cephfs.csi.ceph.com', parameters: { clusterID: 'ceph' }, accessModes: [AccessMode.READ_WRITE_MANY] }), '1Ti'],
    ];
    test.each(providers)('%s: StorageClass, claims of every purpose, mounted by a training job', (_name, provisioner, size) => {
      const { chart, storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: provisioner(), isDefault: true });
      storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size, storageClass: sc });
      storage.addClaim('models', { purpose: ClaimPurpose.MODEL, size, storageClass: sc });
      storage.addClaim('ckpt', { purpose: ClaimPurpose.CHECKPOINT, size, storageClass: sc });
      new GpuTrainingJob(chart, 'train', {
        image: IMAGE,
        dataset: { claim: storage.claim('data'), path: '/data' },
        modelOutput: { claim: storage.claim('models'), path: '/models' },
        checkpoints: { claim: storage.claim('ckpt'), path: '/ckpt' },
      });
      const objects = Testing.synth(chart);
      expectValidManifests(objects);
      expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(3);
      expect(find(objects, 'StorageClass', 'sc').provisioner).not.toMatch(/^kubernetes\.io\//);
    });

    test('existing volumes (NFS, CSI, S3) with their bound claims', () => {
      const { chart, storage } = setup();
      const nfs = storage.addPersistentVolume('nfs-pv', { source: PersistentVolumeSource.nfs({ server: '10.0.0.5', path: '/data' }), capacity: '1Ti', mountOptions: ['hard'] });
      const csi = storage.addPersistentVolume('ebs-pv', {
        source: PersistentVolumeSource.csi({ driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0', fsType: 'xfs', volumeAttributes: { partition: '0' } }),
        capacity: '200Gi', zone: 'us-east-1a',
      });
      const s3 = storage.addPersistentVolume('s3-pv', { source: PersistentVolumeSource.s3Bucket({ bucket: 'ml-data', region: 'us-east-1' }), capacity: '1Ti' });
      storage.addClaim('nfs-data', { purpose: ClaimPurpose.DATASET, size: '1Ti', volume: nfs });
      storage.addClaim('ebs-models', { purpose: ClaimPurpose.MODEL, size: '200Gi', volume: csi });
      storage.addClaim('s3-data', { purpose: ClaimPurpose.DATASET, size: '1Ti', volume: s3 });
      expectValidManifests(Testing.synth(chart));
    });
  });

  describe('reclaim policy by claim purpose', () => {
    test.each([
      [[ClaimPurpose.DATASET], 'Retain'],
      [[ClaimPurpose.MODEL], 'Retain'],
      [[ClaimPurpose.CHECKPOINT], 'Delete'],
      [[ClaimPurpose.CHECKPOINT, ClaimPurpose.DATASET], 'Retain'],
      [[], 'Retain'],
    ])('claims %p make the class %s', (purposes, expected) => {
      const { chart, storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: StorageProvisioner.awsEbsGp3() });
      purposes.forEach((purpose, i) => storage.addClaim(`c${i}`, { purpose, size: '10Gi', storageClass: sc }));
      expect(find(Testing.synth(chart), 'StorageClass', 'sc').reclaimPolicy).toBe(expected);
    });

    test('an explicit reclaim policy wins', () => {
      const { chart, storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: StorageProvisioner.awsEbsGp3(), reclaimPolicy: ReclaimPolicy.DELETE });
      storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '10Gi', storageClass: sc });
      expect(find(Testing.synth(chart), 'StorageClass', 'sc').reclaimPolicy).toBe('Delete');
    });
  });

  describe('persistent volumes and bound claims', () => {
    test('an NFS volume, retained, reserved for the claim bound to it', () => {
      const { chart, storage } = setup();
      const pv = storage.addPersistentVolume('data-pv', {
        source: PersistentVolumeSource.nfs({ server: 'nfs.example.com', path: '/data' }),
        capacity: '1Ti',
        mountOptions: ['nfsvers=4.1'],
      });
      storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '500Gi', volume: pv });
      const objects = Testing.synth(chart);
      const volume = find(objects, 'PersistentVolume', 'data-pv');
      expect(volume.metadata.namespace).toBeUndefined();
      expect(volume.spec).toEqual({
        nfs: { server: 'nfs.example.com', path: '/data' },
        capacity: { storage: '1Ti' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        mountOptions: ['nfsvers=4.1'],
        claimRef: { name: 'data', namespace: 'ml' },
      });
      const claim = find(objects, 'PersistentVolumeClaim', 'data');
      expect(claim.metadata.namespace).toBe('ml');
      expect(claim.spec).toEqual({
        accessModes: ['ReadWriteMany'],
        resources: { requests: { storage: '500Gi' } },
        storageClassName: '',
        volumeName: 'data-pv',
      });
    });

    test('an existing CSI volume pinned to its zone', () => {
      const { chart, storage } = setup();
      storage.addPersistentVolume('models-pv', {
        source: PersistentVolumeSource.csi({ driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0', fsType: 'ext4' }),
        capacity: '200Gi',
        zone: 'us-east-1a',
      });
      const volume = find(Testing.synth(chart), 'PersistentVolume', 'models-pv');
      expect(volume.spec.csi).toEqual({ driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0123456789abcdef0', fsType: 'ext4' });
      expect(volume.spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(volume.spec.claimRef).toBeUndefined();
      expect(volume.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions).toEqual([
        { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] },
      ]);
    });

    test('an S3 bucket through Mountpoint, readable by the non-root pod user', () => {
      const { chart, storage } = setup();
      const pv = storage.addPersistentVolume('s3-pv', {
        source: PersistentVolumeSource.s3Bucket({ bucket: 'ml-datasets', region: 'eu-west-1', prefix: 'imagenet/' }),
        capacity: '100Gi',
      });
      storage.addClaim('dataset', { purpose: ClaimPurpose.DATASET, size: '100Gi', volume: pv });
      const volume = find(Testing.synth(chart), 'PersistentVolume', 's3-pv');
      expect(volume.spec.csi).toEqual({ driver: 's3.csi.aws.com', volumeHandle: 's3-pv', volumeAttributes: { bucketName: 'ml-datasets' } });
      expect(volume.spec.mountOptions).toEqual(['allow-other', 'uid=1000', 'gid=1000', 'region eu-west-1', 'prefix imagenet/']);
      expect(volume.spec.accessModes).toEqual(['ReadWriteMany']);
    });
  });

  describe('handles', () => {
    test('claim handles carry name, access modes and namespace, and mount into workloads', () => {
      const { chart, storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: StorageProvisioner.awsEbsGp3() });
      const handle = storage.addClaim('models', { purpose: ClaimPurpose.MODEL, size: '10Gi', storageClass: sc });
      expect(storage.claim('models')).toBe(handle);
      expect(handle).toMatchObject({ claimName: 'models', accessModes: ['ReadWriteOnce'], namespace: 'ml' });
      expect(storage.claimNames).toEqual(['models']);
      new GpuTrainingJob(chart, 'train', { image: IMAGE, modelOutput: { claim: handle, path: '/models' } });
      const job = find(Testing.synth(chart), 'Job', 'train');
      expect(job.spec.template.spec.volumes).toContainEqual({ name: 'models', persistentVolumeClaim: { claimName: 'models' } });
    });

    test('a claim of an existing class by name defaults to ReadWriteOnce and is not checked', () => {
      const { chart, storage } = setup();
      storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '10Gi', storageClass: StorageClassRef.fromName('standard-rwo') });
      expect(find(Testing.synth(chart), 'PersistentVolumeClaim', 'data').spec).toMatchObject({ storageClassName: 'standard-rwo', accessModes: ['ReadWriteOnce'] });
    });

    test('ReadWriteOnce claims cannot be shared by pods on several nodes; ReadWriteMany and read-only ReadOnlyMany can', () => {
      const { storage } = setup();
      const ebs = storage.addStorageClass('ebs', { provisioner: StorageProvisioner.awsEbsGp3() });
      const nfs = storage.addStorageClass('nfs', { provisioner: StorageProvisioner.nfs({ server: 'nfs', share: '/ml' }) });
      const rwo = storage.addClaim('rwo', { purpose: ClaimPurpose.CHECKPOINT, size: '10Gi', storageClass: ebs });
      const rwx = storage.addClaim('rwx', { purpose: ClaimPurpose.CHECKPOINT, size: '10Gi', storageClass: nfs });
      const rox = storage.addClaim('rox', { purpose: ClaimPurpose.DATASET, size: '10Gi', storageClass: nfs, accessModes: [AccessMode.READ_ONLY_MANY] });
      const v = Validator.forConstruct('DistributedTraining', 'ddp');
      const spanning = { podsMaySpanNodes: true, namespace: 'ml', why: 'the 4 workers may run on different nodes' };
      expect(() => checkMounts(v, [resolveMount(v, 'checkpoints', { claim: rwx, path: '/ckpt' }, false)], spanning)).not.toThrow();
      expect(() => checkMounts(v, [resolveMount(v, 'dataset', { claim: rox, path: '/data' }, true)], spanning)).not.toThrow();
      expect(() => checkMounts(v, [resolveMount(v, 'dataset', { claim: rox, path: '/data', readOnly: false }, true)], spanning))
        .toThrow(/'dataset.claim' must be a claim with access mode ReadWriteMany because/);
      expect(() => checkMounts(v, [resolveMount(v, 'checkpoints', { claim: rwo, path: '/ckpt' }, false)], { podsMaySpanNodes: false, namespace: 'ml' })).not.toThrow();
    });
  });

  describe('bad input', () => {
    const ebs = () => StorageProvisioner.awsEbsGp3();
    function claimWith(options: Partial<Parameters<MlStorage['addClaim']>[1]>, name = 'data') {
      const { storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: ebs() });
      storage.addClaim(name, { purpose: ClaimPurpose.DATASET, size: '10Gi', storageClass: sc, ...options });
    }

    test('size that is not a quantity', () => {
      expect(() => claimWith({ size: '10 gigs' })).toThrow(
        "MlStorage 'storage': 'claims.data.size' must be a Kubernetes quantity such as '500m', '2', '16Gi' or '1Ti', got '10 gigs'");
    });

    test('negative size', () => {
      expect(() => claimWith({ size: -5 })).toThrow("MlStorage 'storage': 'claims.data.size' must be a non-negative quantity, got -5");
    });

    test('zero size', () => {
      expect(() => claimWith({ size: '0Gi' })).toThrow("MlStorage 'storage': 'claims.data.size' must be a quantity greater than zero, got '0Gi'");
    });

    test('io2 IOPS out of range', () => {
      expect(() => StorageProvisioner.awsEbsIo2({ iops: 300000 })).toThrow(
        "StorageProvisioner.awsEbsIo2: 'iops' must be a whole number from 100 to 256000, got 300000");
    });

    test('io2 IOPS per GiB out of range', () => {
      expect(() => StorageProvisioner.awsEbsIo2({ iopsPerGb: 1500 })).toThrow(
        "StorageProvisioner.awsEbsIo2: 'iopsPerGb' must be a whole number from 1 to 1000, got 1500");
    });

    test('io2 with neither or both of iops and iopsPerGb', () => {
      expect(() => StorageProvisioner.awsEbsIo2({})).toThrow(/'iops' must be given, or else 'iopsPerGb', but not both, got nothing/);
      expect(() => StorageProvisioner.awsEbsIo2({ iops: 1000, iopsPerGb: 10 })).toThrow(/'iops' must be given, or else 'iopsPerGb', but not both, got 1000/);
    });

    test('io2 volume too small for its IOPS', () => {
      const { storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: StorageProvisioner.awsEbsIo2({ iops: 64000 }) });
      expect(() => storage.addClaim('db', { purpose: ClaimPurpose.MODEL, size: '20Gi', storageClass: sc })).toThrow(
        "MlStorage 'storage': 'claims.db.size' must be at least 64Gi for 64000 IOPS (io2 allows 1000 IOPS per GiB), got '20Gi'");
    });

    test('io2 volume whose IOPS per GiB stay under the io2 minimum', () => {
      const { storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: StorageProvisioner.awsEbsIo2({ iopsPerGb: 10 }) });
      expect(() => storage.addClaim('db', { purpose: ClaimPurpose.MODEL, size: '5Gi', storageClass: sc })).toThrow(
        /'claims.db.size' must be at least 10Gi at 10 IOPS per GiB \(io2 needs at least 100 IOPS\), or set 'allowAutoIopsPerGbIncrease', got '5Gi'/);
    });

    test('io2 volume outside the io2 size range', () => {
      const { storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: StorageProvisioner.awsEbsIo2({ iopsPerGb: 500 }) });
      expect(() => storage.addClaim('db', { purpose: ClaimPurpose.MODEL, size: '100Ti', storageClass: sc })).toThrow(
        "MlStorage 'storage': 'claims.db.size' must be from 4Gi to 64Ti (an EBS io2 volume is 4Gi to 64Ti), got '100Ti'");
    });

    test('gp3 IOPS out of range', () => {
      expect(() => StorageProvisioner.awsEbsGp3({ iops: 1000 })).toThrow(
        "StorageProvisioner.awsEbsGp3: 'iops' must be a whole number from 3000 to 80000, got 1000");
    });

    test('gp3 throughput above a quarter of the IOPS', () => {
      expect(() => StorageProvisioner.awsEbsGp3({ throughputMiBps: 1000 })).toThrow(
        "StorageProvisioner.awsEbsGp3: 'throughputMiBps' must be at most a quarter of the IOPS (3000 IOPS allow 750 MiB/s); raise 'iops', got 1000");
    });

    test('gp3 volume too small for its IOPS', () => {
      const { storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: StorageProvisioner.awsEbsGp3({ iops: 16000 }) });
      expect(() => storage.addClaim('c', { purpose: ClaimPurpose.CHECKPOINT, size: '10Gi', storageClass: sc })).toThrow(
        /'claims.c.size' must be at least 32Gi for 16000 IOPS \(gp3 allows 500 IOPS per GiB\), got '10Gi'/);
    });

    test('claim name not DNS-1123', () => {
      expect(() => claimWith({}, 'Training_Data')).toThrow(
        "MlStorage 'storage': 'claims' must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got 'Training_Data'");
    });

    test('duplicate claim name', () => {
      const { storage } = setup();
      storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '1Gi' });
      expect(() => storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '1Gi' })).toThrow(
        "MlStorage 'storage': 'claims' must have unique names, got 'data'");
    });

    test('unknown claim purpose', () => {
      expect(() => claimWith({ purpose: 'weights' as any })).toThrow(
        "MlStorage 'storage': 'claims.data.purpose' must be one of ClaimPurpose.DATASET, ClaimPurpose.MODEL, ClaimPurpose.CHECKPOINT, got 'weights'");
    });

    test('unknown claim handle name', () => {
      const { storage } = setup();
      storage.addClaim('datasets', { purpose: ClaimPurpose.DATASET, size: '1Gi' });
      expect(() => storage.claim('dataset')).toThrow(
        "MlStorage 'storage': 'claim' must name a claim of this MlStorage (datasets), got 'dataset'");
    });

    test('ReadWriteOnce claim where pods on several nodes need it', () => {
      const { storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner: ebs() });
      const claim = storage.addClaim('checkpoints', { purpose: ClaimPurpose.CHECKPOINT, size: '10Gi', storageClass: sc });
      const v = Validator.forConstruct('DistributedTraining', 'ddp');
      const mounts = [resolveMount(v, 'checkpoints', { claim, path: '/ckpt' }, false)];
      expect(() => checkMounts(v, mounts, { podsMaySpanNodes: true, namespace: 'ml', why: 'the 4 workers may run on different nodes' })).toThrow(
        "DistributedTraining 'ddp': 'checkpoints.claim' must be a claim with access mode ReadWriteMany because the 4 workers may run on different nodes, got 'checkpoints (ReadWriteOnce)'");
    });

    test.each([
      ['EBS', ebs(), 'AWS EBS gp3 volumes (ebs.csi.aws.com)', 'ReadWriteOnce, ReadWriteOncePod'],
      ['GCE PD', StorageProvisioner.gcePersistentDisk(), 'GCE pd-balanced volumes (pd.csi.storage.gke.io)', 'ReadWriteOnce, ReadWriteOncePod'],
      ['Azure Disk', StorageProvisioner.azureDisk(), 'Azure Disk Premium_LRS volumes (disk.csi.azure.com)', 'ReadWriteOnce, ReadWriteOncePod'],
    ])('ReadWriteMany on %s block storage', (_name, provisioner, what, allowed) => {
      const { storage } = setup();
      const sc = storage.addStorageClass('sc', { provisioner });
      expect(() => storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '10Gi', storageClass: sc, accessModes: [AccessMode.READ_WRITE_MANY] })).toThrow(
        `MlStorage 'storage': 'claims.data.accessModes' must be among ${allowed}: ${what} cannot do ReadWriteMany, got ["ReadWriteMany"]`);
    });

    test('the removed in-tree EBS provisioner', () => {
      expect(() => StorageProvisioner.custom({ provisioner: 'kubernetes.io/aws-ebs' })).toThrow(
        "StorageProvisioner.custom: 'provisioner' must be a CSI driver, not an in-tree provisioner removed from Kubernetes (use 'ebs.csi.aws.com'), got 'kubernetes.io/aws-ebs'");
    });

    test('a provisioner that is not a driver name', () => {
      expect(() => StorageProvisioner.custom({ provisioner: 'Ceph FS' })).toThrow(
        "StorageProvisioner.custom: 'provisioner' must be a CSI driver name such as 'cephfs.csi.ceph.com', got 'Ceph FS'");
      expect(() => StorageProvisioner.custom({ provisioner: 'kubernetes.io/no-provisioner' })).not.toThrow();
    });

    test('claim larger than the volume it binds to', () => {
      const { storage } = setup();
      const pv = storage.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/d' }), capacity: '1Ti' });
      expect(() => storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '2Ti', volume: pv })).toThrow(
        "MlStorage 'storage': 'claims.data.size' must be at most the capacity of volume 'pv' (1Ti), or the claim never binds, got '2Ti'");
    });

    test('claim access mode the bound volume lacks', () => {
      const { storage } = setup();
      const pv = storage.addPersistentVolume('pv', {
        source: PersistentVolumeSource.csi({ driver: 'ebs.csi.aws.com', volumeHandle: 'vol-1' }), capacity: '100Gi',
      });
      expect(() => storage.addClaim('data', { purpose: ClaimPurpose.DATASET, size: '100Gi', volume: pv, accessModes: [AccessMode.READ_WRITE_MANY] })).toThrow(
        "MlStorage 'storage': 'claims.data.accessModes' must be among the modes of volume 'pv' (ReadWriteOnce), or the claim never binds, got [\"ReadWriteMany\"]");
    });

    test('a volume bound twice', () => {
      const { storage } = setup();
      const pv = storage.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/d' }), capacity: '1Ti' });
      storage.addClaim('a', { purpose: ClaimPurpose.DATASET, size: '1Ti', volume: pv });
      expect(() => storage.addClaim('b', { purpose: ClaimPurpose.DATASET, size: '1Ti', volume: pv })).toThrow(
        "MlStorage 'storage': 'claims.b.volume' must not be bound already (claim 'a' has it), got 'pv'");
    });

    test('a bound claim without a namespace', () => {
      const { storage } = setup(null);
      const pv = storage.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/d' }), capacity: '1Ti' });
      expect(() => storage.addClaim('a', { purpose: ClaimPurpose.DATASET, size: '1Ti', volume: pv })).toThrow(
        /'claims.a.volume' needs the MlStorage 'namespace' \(or the chart's\): the volume reserves its claim by namespace and name, got 'pv'/);
    });

    test('both a StorageClass and a volume', () => {
      const { storage } = setup();
      const pv = storage.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/d' }), capacity: '1Ti' });
      expect(() => storage.addClaim('a', { purpose: ClaimPurpose.DATASET, size: '1Ti', volume: pv, storageClass: StorageClassRef.fromName('x') })).toThrow(
        "MlStorage 'storage': 'claims.a.storageClass' must not be given with 'volume' (a bound claim uses no StorageClass), got 'x'");
    });

    test('Hyperdisk IOPS on a type that does not take them', () => {
      expect(() => StorageProvisioner.gceHyperdisk({ type: HyperdiskType.ML, iops: 1000 })).toThrow(
        "StorageProvisioner.gceHyperdisk: 'iops' cannot be provisioned on hyperdisk-ml (only hyperdisk-balanced and hyperdisk-extreme), got 1000");
    });

    test('Azure provisioned IOPS on a SKU without them, and caching on Premium SSD v2', () => {
      expect(() => StorageProvisioner.azureDisk({ sku: AzureDiskSku.PREMIUM_LRS, iops: 5000 })).toThrow(
        "StorageProvisioner.azureDisk: 'iops' can only be provisioned on PremiumV2_LRS and UltraSSD_LRS disks, not Premium_LRS, got 5000");
      expect(() => StorageProvisioner.azureDisk({ sku: AzureDiskSku.PREMIUM_V2_LRS, cachingMode: AzureCachingMode.READ_ONLY })).toThrow(
        "StorageProvisioner.azureDisk: 'cachingMode' must be None on PremiumV2_LRS disks, got 'ReadOnly'");
    });

    test('EFS file system id', () => {
      expect(() => StorageProvisioner.awsEfs({ fileSystemId: 'my-efs' })).toThrow(
        "StorageProvisioner.awsEfs: 'fileSystemId' must be an EFS file system id ('fs-' and hex digits), got 'my-efs'");
    });

    test('NFS export path that is not absolute', () => {
      expect(() => PersistentVolumeSource.nfs({ server: 'nfs.example.com', path: 'training-data' })).toThrow(
        "PersistentVolumeSource.nfs: 'path' must be an absolute export path without '..' or spaces, got 'training-data'");
    });

    test('S3 bucket name', () => {
      expect(() => PersistentVolumeSource.s3Bucket({ bucket: 'My_Bucket' })).toThrow(
        "PersistentVolumeSource.s3Bucket: 'bucket' must be an S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-'), got 'My_Bucket'");
    });

    test('volume capacity that is not a quantity', () => {
      const { storage } = setup();
      expect(() => storage.addPersistentVolume('pv', { source: PersistentVolumeSource.nfs({ server: 'nfs', path: '/d' }), capacity: '1 TB' })).toThrow(
        /MlStorage 'storage': 'persistentVolumes.pv.capacity' must be a Kubernetes quantity .*, got '1 TB'/);
    });
  });
});
