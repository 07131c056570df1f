import { propNames, rejectUnknownProps } from '../core/props';
import { Construct } from 'constructs';
import { IValidator, Validator } from '../core/errors';
import { componentLabels } from '../core/labels';
import { validateDnsLabel, validateDnsSubdomain, validateLabels } from '../core/validation';
import { VolumeClaim } from '../core/volumes';
import { ITeam, resolveNamespace } from '../core/workload';
import { addClaimObject, bindToVolume, checkClaim, ClaimOptions } from './claim';
import { addPersistentVolumeObject, PersistentVolumeOptions, PersistentVolumeRef } from './persistent-volume';
import { addStorageClassObject, StorageClassOptions, StorageClassRef } from './storage-class';
import { registerConstruct } from '../core/platform';

/** Props of {@link MlStorage}. */
export interface MlStorageProps {
  /**
   * The namespace of the claims (StorageClasses and PersistentVolumes are cluster-wide).
   * @default - the team's namespace, else the chart's
   */
  readonly namespace?: string;
  /**
   * The team whose workloads mount the claims: they go to its namespace (a pod mounts only claims of its own
   * namespace) unless given here.
   * @default - no team
   */
  readonly team?: ITeam;
  /**
   * The `app.kubernetes.io/instance` label of every object.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Extra labels on every object.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}


/** Every prop of MlStorageProps, for refusing unknown ones (the compiler checks the list against the interface). */
const ML_STORAGE_PROPS = propNames<MlStorageProps>()({
  namespace: true, team: true, name: true, labels: true,
});
/**
 * StorageClasses, PersistentVolumes and claims for datasets, models and checkpoints. Each claim gives a
 * {@link VolumeClaim} handle that workloads mount (`dataset: { claim: storage.claim('datasets'), path: '/data' }`);
 * the handle carries the claim's access modes, so mounting a ReadWriteOnce claim where pods on several nodes need it
 * fails at synth.
 *
 * Reclaim policy rule: a StorageClass retains its volumes unless every claim using it holds checkpoints (datasets
 * and models are expensive to recreate; checkpoints are scratch). Existing volumes added with
 * `addPersistentVolume` are always retained: the library never deletes data it did not create.
 *
 * @example
 * const storage = new MlStorage(chart, 'storage');
 * const fast = storage.addStorageClass('fast-io2', { provisioner: StorageProvisioner.awsEbsIo2({ iopsPerGb: 50 }) });
 * storage.addClaim('models', { purpose: ClaimPurpose.MODEL, size: '200Gi', storageClass: fast });
 * new GpuTrainingJob(chart, 'train', { image, modelOutput: { claim: storage.claim('models'), path: '/models' } });
 */
export class MlStorage extends Construct {
  /** The namespace of the claims, if set. */
  public readonly namespace?: string;

  private readonly v: Validator;
  private readonly instance: string;
  private readonly labels: Record<string, string>;
  private readonly classes = new Map<string, StorageClassRef>();
  private readonly volumes = new Map<string, PersistentVolumeRef>();
  private readonly claims = new Map<string, VolumeClaim>();

  public constructor(scope: Construct, id: string, props: MlStorageProps = {}) {
    super(scope, id);
    registerConstruct(this, 'MlStorage');
    this.v = Validator.forConstruct('MlStorage', id);
    rejectUnknownProps(this.v, props, ML_STORAGE_PROPS);
    this.namespace = resolveNamespace(this.v, this, props);
    this.instance = validateDnsLabel(this.v, 'name', props.name ?? id);
    this.labels = { ...validateLabels(this.v, 'labels', props.labels) };
  }

  /** Adds a StorageClass (cluster-wide) named `name` and returns its handle for claims. */
  public addStorageClass(name: string, options: StorageClassOptions): StorageClassRef {
    const v = this.checkNewName('storageClasses', name, this.classes);
    const ref = addStorageClassObject(this, v, name, options, this.objectLabels(name, 'storage-class'));
    this.classes.set(name, ref);
    return ref;
  }

  /**
   * Adds a PersistentVolume (cluster-wide) for data that exists already: an NFS export, a CSI volume, an S3 bucket.
   * Its reclaim policy is Retain. Bind one claim to it with `addClaim(name, { volume })`.
   */
  public addPersistentVolume(name: string, options: PersistentVolumeOptions): PersistentVolumeRef {
    const v = this.checkNewName('persistentVolumes', name, this.volumes);
    const ref = addPersistentVolumeObject(this, v, name, options, this.objectLabels(name, 'volume'));
    this.volumes.set(name, ref);
    return ref;
  }

  /** Adds a PersistentVolumeClaim named `name` and returns the handle workloads mount. */
  public addClaim(name: string, options: ClaimOptions): VolumeClaim {
    const v = this.checkNewName('claims', name, this.claims);
    const claim = checkClaim(v, options, (volume) => this.volumes.get(volume.volumeName) === volume);
    if (claim.volume !== undefined) bindToVolume(v, claim.volume, claim, name, this.namespace);
    claim.storageClass?._use(claim.purpose);
    const handle = addClaimObject(this, name, this.namespace, this.objectLabels(name, claim.purpose), claim);
    this.claims.set(name, handle);
    return handle;
  }

  /** The handle of the claim named `name`. */
  public claim(name: string): VolumeClaim {
    const handle = this.claims.get(name);
    if (handle === undefined) {
      const known = [...this.claims.keys()];
      this.v.fail('claim', `must name a claim of this MlStorage (${known.length > 0 ? known.join(', ') : 'none added yet'})`, name);
    }
    return handle;
  }

  /** The names of the claims, in the order they were added. */
  public get claimNames(): string[] {
    return [...this.claims.keys()];
  }

  private objectLabels(name: string, component: string): Record<string, string> {
    return { ...this.labels, ...componentLabels({ name, instance: this.instance, component }) };
  }

  /** Checks the name of a new StorageClass, volume or claim (`kind` is its prop) and returns the validator of its options. */
  private checkNewName(kind: 'storageClasses' | 'persistentVolumes' | 'claims', name: string, taken: Map<string, unknown>): IValidator {
    const v = this.v.nested(`${kind}.${name}`);
    validateDnsSubdomain(this.v, kind, name);
    if (taken.has(name)) this.v.fail(kind, 'must have unique names', name);
    return v;
  }
}
