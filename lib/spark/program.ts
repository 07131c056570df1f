import { IValidator, Validator } from '../core/errors';
import { rejectInlineCredential, validateSingleLine } from '../core/validation';

/** The language of a Spark application (the operator's `spec.type`). */
export enum SparkLanguage {
  /** PySpark: the main file is a `.py` script. */
  PYTHON = 'Python',
  /** Scala: the main file is a jar, with a main class. */
  SCALA = 'Scala',
  /** Java: the main file is a jar, with a main class. */
  JAVA = 'Java',
  /** SparkR: the main file is an `.R` script. */
  R = 'R',
}

/**
 * The URI schemes a dependency or main file may use: `local://` (a path inside the image, nothing to download),
 * and remote stores the driver and executors download from (`https`, `s3a`, `gs`, `abfss`, `hdfs`). `file://` is
 * refused (it names a file on the machine that runs `spark-submit`: the operator's pod), and so is plain `http://`.
 */
export const SPARK_URI_SCHEMES = ['local', 'https', 's3a', 'gs', 'abfss', 'hdfs'] as const;

/** True when the URI is downloaded from outside the pod (anything but `local://`). */
export function isRemoteUri(uri: string): boolean {
  return !uri.startsWith('local://');
}

/**
 * Checks a main file or dependency URI: one of {@link SPARK_URI_SCHEMES}, no credentials in it, one line.
 * `suffixes` restricts the file extension (`.py`, `.jar`).
 */
export function validateSparkUri(v: IValidator, prop: string, uri: string, suffixes?: readonly string[]): string {
  if (typeof uri !== 'string' || uri.length === 0) v.fail(prop, 'must be a URI such as local:///opt/spark/work/app.py or s3a://bucket/app.py', uri);
  validateSingleLine(v, prop, uri);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(uri)?.[1];
  if (scheme === undefined || !(SPARK_URI_SCHEMES as readonly string[]).includes(scheme)) {
    v.fail(prop, `must start with ${SPARK_URI_SCHEMES.map((s) => `${s}://`).join(', ')} (file:// would name a file of the operator's pod; use local:// for a file in the image)`, uri);
  }
  if (/\s/.test(uri)) v.fail(prop, 'must not contain whitespace', uri);
  rejectInlineCredential(v, prop, undefined, uri);
  if (suffixes !== undefined && !suffixes.some((s) => uri.toLowerCase().endsWith(s))) {
    v.fail(prop, `must name a ${suffixes.join(' or ')} file`, uri);
  }
  return uri;
}

/**
 * What a Spark application runs: its language, main file and (for JVM languages) main class.
 *
 * @example SparkProgram.python('local:///opt/spark/examples/src/main/python/ml/als_example.py')
 */
export class SparkProgram {
  /**
   * A PySpark application.
   * @param mainFile the `.py` script: `local://` (in the image) or a remote URI (`s3a://`, `gs://`, `https://`)
   */
  public static python(mainFile: string): SparkProgram {
    const v = Validator.forFactory('SparkProgram.python');
    return new SparkProgram(SparkLanguage.PYTHON, validateSparkUri(v, 'mainFile', mainFile, ['.py']));
  }

  /**
   * A Scala application.
   * @param jar the application jar: `local://` (in the image) or a remote URI
   * @param mainClass the fully qualified main class (`com.example.Etl`)
   */
  public static scala(jar: string, mainClass: string): SparkProgram {
    return SparkProgram.jvm('SparkProgram.scala', SparkLanguage.SCALA, jar, mainClass);
  }

  /**
   * A Java application.
   * @param jar the application jar: `local://` (in the image) or a remote URI
   * @param mainClass the fully qualified main class (`com.example.Etl`)
   */
  public static java(jar: string, mainClass: string): SparkProgram {
    return SparkProgram.jvm('SparkProgram.java', SparkLanguage.JAVA, jar, mainClass);
  }

  /**
   * A SparkR application.
   * @param mainFile the `.R` script: `local://` (in the image) or a remote URI
   */
  public static r(mainFile: string): SparkProgram {
    const v = Validator.forFactory('SparkProgram.r');
    return new SparkProgram(SparkLanguage.R, validateSparkUri(v, 'mainFile', mainFile, ['.r']));
  }

  private static jvm(factory: string, language: SparkLanguage, jar: string, mainClass: string): SparkProgram {
    const v = Validator.forFactory(factory);
    validateSparkUri(v, 'jar', jar, ['.jar']);
    if (typeof mainClass !== 'string' || !/^([A-Za-z_$][A-Za-z0-9_$]*\.)*[A-Za-z_$][A-Za-z0-9_$]*$/.test(mainClass)) {
      v.fail('mainClass', 'must be a fully qualified JVM class name such as com.example.Etl', mainClass);
    }
    return new SparkProgram(language, jar, mainClass);
  }

  private constructor(
    /** The language (`spec.type`). */
    public readonly language: SparkLanguage,
    /** The main file (`spec.mainApplicationFile`). */
    public readonly mainFile: string,
    /** The main class of a JVM application (`spec.mainClass`). */
    public readonly mainClass?: string,
  ) {}

  /** True for Python and R, whose processes live beside the JVM: Spark gives them a larger memory overhead. */
  public get isNonJvm(): boolean {
    return this.language === SparkLanguage.PYTHON || this.language === SparkLanguage.R;
  }
}
