import { IValidator } from './errors';
import { validatePort } from './validation';

/** S3 bucket names: 3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit. */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** `http(s)://host[:port]`, optionally with a trailing '/': no credentials, no path. */
const ENDPOINT = /^(https?):\/\/([A-Za-z0-9.-]+)(?::(\d+))?\/?$/;
/** AWS region names (`eu-west-1`, `us-gov-west-1`). */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * Whether `name` is an S3 bucket name by AWS's rules, which S3-compatible stores (MinIO, Ceph) follow too: the
 * pattern above, no '..', and not an IPv4 address.
 */
export function isS3BucketName(name: unknown): name is string {
  return typeof name === 'string' && S3_BUCKET.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);
}

/** Checks an S3 bucket name (see {@link isS3BucketName}). */
export function validateS3BucketName(v: IValidator, prop: string, bucket: string): string {
  if (!isS3BucketName(bucket)) {
    v.fail(prop, 'must be a bucket name (3 to 63 lower-case letters, digits, \'.\' and \'-\', starting and ending with a letter or digit, not an IP address)', bucket);
  }
  return bucket;
}

/** The endpoint of an S3-compatible object store, as {@link parseObjectStoreEndpoint} reads it. */
export interface ObjectStoreEndpoint {
  /** The URL as given (clients take it verbatim). */
  readonly url: string;
  /** Whether the scheme is https. */
  readonly https: boolean;
  /** The host name or address. */
  readonly host: string;
  /** The TCP port: the one given, else 443 for https and 80 for http (what egress is opened to). */
  readonly port: number;
}

/**
 * Checks the endpoint URL of an S3-compatible store (`https://s3.example.com`, `http://minio.storage:9000`): an
 * http(s) URL with a host and an optional port, without credentials or a path, and returns its parts.
 */
export function parseObjectStoreEndpoint(v: IValidator, prop: string, endpoint: string): ObjectStoreEndpoint {
  const match = typeof endpoint === 'string' ? ENDPOINT.exec(endpoint) : null;
  if (!match) v.fail(prop, 'must be an http(s) URL with a host and optional port, without credentials or path (e.g. \'https://s3.example.com\')', endpoint);
  const https = match[1] === 'https';
  const port = match[3] !== undefined ? validatePort(v, prop, Number(match[3])) : https ? 443 : 80;
  return { url: endpoint, https, host: match[2], port };
}

/** Checks an AWS region name (`eu-west-1`). */
export function validateAwsRegion(v: IValidator, prop: string, region: string): string {
  if (typeof region !== 'string' || !AWS_REGION.test(region)) v.fail(prop, 'must be a region name such as \'eu-west-1\'', region);
  return region;
}
