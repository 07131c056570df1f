// Storage for ML: the seeds' NFS volume, "high-performance" StorageClass and dataset/model claims done right, and
// the seeds' "S3-compatible" dataset claim expressed with a driver that can actually share it across nodes.
import { App, Chart } from 'cdk8s';
import {
  AccessMode, Accelerator, ClaimPurpose, GcePdType, GpuTrainingJob, HyperdiskType, MlStorage, PersistentVolumeSource,
  StorageProvisioner,
} from '../lib';

export function build(app: App): void {
  seedStorage(app);
  s3Datasets(app);
  gkeStorage(app);
}

/** The seed's "STORAGE MANAGEMENT" section on AWS, used by the seed's nightly retraining job. */
function seedStorage(app: App): void {
  const chart = new Chart(app, 'storage-aws', { namespace: 'ml-data' });
  const storage = new MlStorage(chart, 'storage');

  // The seed's NFS PersistentVolume, kept (Retain) when its claim goes and reserved for that claim.
  const trainingData = storage.addPersistentVolume('training-data-pv', {
    source: PersistentVolumeSource.nfs({ server: 'nfs-server.example.com', path: '/training-data' }),
    capacity: '1Ti',
    accessModes: [AccessMode.READ_WRITE_MANY],
    mountOptions: ['nfsvers=4.1', 'hard'],
  });
  // The seed asked the io1 "high-performance" class for this ReadWriteMany claim: an EBS volume attaches to one node,
  // so it would never have provisioned. Bound to the NFS volume instead (a claim binds the whole 1Ti volume; 500Gi
  // is its minimum).
  storage.addClaim('training-data-claim', {
    purpose: ClaimPurpose.DATASET,
    size: '500Gi',
    volume: trainingData,
  });

  // The seed's "high-performance" class with the removed in-tree kubernetes.io/aws-ebs provisioner and io1: the EBS
  // CSI driver with io2 (same 50 IOPS per GiB, more durable), waiting for the pod's zone, expandable, encrypted.
  const fast = storage.addStorageClass('high-performance', {
    provisioner: StorageProvisioner.awsEbsIo2({ iopsPerGb: 50 }),
  });
  storage.addClaim('model-storage-claim', { purpose: ClaimPurpose.MODEL, size: '200Gi', storageClass: fast });

  // Checkpoints on gp3 in their own class: scratch state, so its volumes are deleted with the claim.
  const scratch = storage.addStorageClass('ml-checkpoints-gp3', {
    provisioner: StorageProvisioner.awsEbsGp3({ iops: 6000, throughputMiBps: 500 }),
  });
  storage.addClaim('training-checkpoints', { purpose: ClaimPurpose.CHECKPOINT, size: '100Gi', storageClass: scratch });

  // A shared EFS class for checkpoints that distributed runs on several nodes write.
  const shared = storage.addStorageClass('ml-shared-efs', {
    provisioner: StorageProvisioner.awsEfs({ fileSystemId: 'fs-0123456789abcdef0' }),
  });
  storage.addClaim('shared-checkpoints', { purpose: ClaimPurpose.CHECKPOINT, size: '1Ti', storageClass: shared });

  // The seed's nightly retraining mounts these claims: the dataset read-only, models and checkpoints writable.
  new GpuTrainingJob(chart, 'storage-demo-train', {
    image: 'ml-training:v1',
    command: ['python', '/app/train.py', '--data=/data', '--out=/models'],
    accelerator: Accelerator.nvidiaGpu(1),
    dataset: { claim: storage.claim('training-data-claim'), path: '/data' },
    modelOutput: { claim: storage.claim('model-storage-claim'), path: '/models' },
    checkpoints: { claim: storage.claim('training-checkpoints'), path: '/checkpoints' },
  });
}

/**
 * The seed's "S3-Compatible Storage for ML Data": it asked an EBS gp2 class (in-tree provisioner, one node per volume)
 * for a ReadWriteMany claim, which never provisions and is not S3. Here the bucket is mounted with the Mountpoint for
 * Amazon S3 CSI driver, which mounts existing buckets through a PersistentVolume bound to the claim.
 */
function s3Datasets(app: App): void {
  const chart = new Chart(app, 'storage-s3', { namespace: 'ml-data' });
  const storage = new MlStorage(chart, 'storage');
  const bucket = storage.addPersistentVolume('ml-dataset-s3', {
    source: PersistentVolumeSource.s3Bucket({ bucket: 'example-ml-datasets', region: 'us-east-1', prefix: 'imagenet/' }),
    capacity: '100Gi',
  });
  storage.addClaim('ml-dataset', { purpose: ClaimPurpose.DATASET, size: '100Gi', volume: bucket });
}

/** The same purposes on GKE: balanced PD for models, Hyperdisk Throughput for large sequential dataset reads. */
function gkeStorage(app: App): void {
  const chart = new Chart(app, 'storage-gke', { namespace: 'ml-data' });
  const storage = new MlStorage(chart, 'storage');
  const models = storage.addStorageClass('ml-models-pd', { provisioner: StorageProvisioner.gcePersistentDisk({ type: GcePdType.BALANCED }) });
  const datasets = storage.addStorageClass('ml-datasets-hyperdisk', {
    provisioner: StorageProvisioner.gceHyperdisk({ type: HyperdiskType.THROUGHPUT, throughputMiBps: 200 }),
  });
  storage.addClaim('datasets', { purpose: ClaimPurpose.DATASET, size: '2Ti', storageClass: datasets });
  storage.addClaim('models', { purpose: ClaimPurpose.MODEL, size: '100Gi', storageClass: models });
  new GpuTrainingJob(chart, 'storage-gke-train', {
    image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
    command: ['python', '/app/train.py'],
    accelerator: Accelerator.nvidiaGpu(1),
    dataset: { claim: storage.claim('datasets'), path: '/data' },
    modelOutput: { claim: storage.claim('models'), path: '/models' },
  });
}
