// What a claim holds decides what happens to its data: datasets and models are kept, checkpoints are scratch.

/** What a claim holds. It decides the default reclaim policy of the StorageClass the claim uses. */
export enum ClaimPurpose {
  /** Training or evaluation data: expensive to recreate, so its volume is retained when the claim is deleted. */
  DATASET = 'dataset',
  /** Trained models: the product of hours of GPU time, retained when the claim is deleted. */
  MODEL = 'model',
  /** Checkpoints: scratch state of running jobs, deleted with the claim unless a class says otherwise. */
  CHECKPOINT = 'checkpoint',
}

/** What happens to a volume when its claim is deleted. */
export enum ReclaimPolicy {
  /** Keep the volume and its data; an administrator deletes it. */
  RETAIN = 'Retain',
  /** Delete the volume and its data with the claim. */
  DELETE = 'Delete',
}
