import { k8s } from 'cdk8s-plus-27';
import { IValidator, SecretValue } from '../core';
import { checkSecret } from './checks';

const AUTH_CONFIG_DIR = '/etc/mlflow-auth';

/** MLflow's built-in basic authentication (`--app-name basic-auth`). */
export interface BasicAuthOptions {
  /**
   * The `basic_auth.ini` file, in a Secret you create: it holds the admin password and the auth database URI.
   * Put no password in `database_uri` (e.g. `postgresql://mlflow@mlflow-postgres.mlops-platform.svc:5432/mlflow`):
   * the server's `PGPASSWORD` is used.
   */
  readonly config: SecretValue;
  /**
   * The Flask secret key that signs sessions and CSRF tokens, in a Secret: stable across restarts and the same in
   * every replica (a random per-process key breaks logins as soon as two replicas serve one user).
   */
  readonly secretKey: SecretValue;
}

/** A file from a Secret that a container reads: its volume, its mount and the env that points to it. */
export interface MountedFiles {
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;
  readonly env: Record<string, string>;
}

export function checkAuth(v: IValidator, auth: BasicAuthOptions): void {
  checkSecret(v, 'config', auth.config);
  checkSecret(v, 'secretKey', auth.secretKey);
}

/** `basic_auth.ini` mounted from its Secret: the server and the schema migration (the auth database) read it. */
export function authConfigFiles(auth: BasicAuthOptions): MountedFiles {
  const c = auth.config;
  return {
    volume: { name: 'auth-config', secret: { secretName: c.secretName, items: [{ key: c.key, path: 'basic_auth.ini' }] } },
    mount: { name: 'auth-config', mountPath: AUTH_CONFIG_DIR, readOnly: true },
    env: { MLFLOW_AUTH_CONFIG_PATH: `${AUTH_CONFIG_DIR}/basic_auth.ini` },
  };
}
