import { validateImage, Validator, VolumeClaim } from '../core';
import { validateMountPath, validateRelativePath } from '../core/validation';

/** The feature definitions (`feast apply` reads the Python files of a feature repository). */
export class FeatureRepository {
  /**
   * A feature repository baked into an image (which must have Feast installed, e.g. built `FROM` the Feast image).
   * @param image the image, pinned
   * @param path the repository's directory in the image
   */
  public static fromImage(image: string, path: string): FeatureRepository {
    const v = Validator.forFactory('FeatureRepository.fromImage');
    validateImage(v, 'image', image);
    validateMountPath(v, 'path', path);
    return new FeatureRepository(image, path, undefined);
  }

  /**
   * A feature repository on a volume claim, run with the Feast image.
   * @param claim the claim
   * @param subPath the repository's directory inside the claim
   */
  public static fromClaim(claim: VolumeClaim, subPath?: string): FeatureRepository {
    const v = Validator.forFactory('FeatureRepository.fromClaim');
    if (!(claim instanceof VolumeClaim)) v.fail('claim', 'must be a VolumeClaim (from MlStorage or VolumeClaim.fromClaimName)', claim);
    if (subPath !== undefined) validateRelativePath(v, 'subPath', subPath);
    return new FeatureRepository(undefined, '/feast/repo', { claim, path: '/feast/repo', subPath, readOnly: true });
  }

  private constructor(
    /** The image that holds the repository, if baked in. */
    public readonly image: string | undefined,
    /** The repository's path in the container. */
    public readonly path: string,
    /** @internal */
    public readonly _mount: { claim: VolumeClaim; path: string; subPath?: string; readOnly: boolean } | undefined,
  ) {}
}
