/**
 * Loads the Kubernetes 1.27 JSON Schema definitions and the CRDs vendored in the repository's schemas/ folder,
 * turns them into strict JSON Schemas and compiles one ajv validator per apiVersion/kind, lazily,
 * cached for the life of the process (each jest test file has its own module registry, so its own cache).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as YAML from 'yaml';
import { K8S_ENUMS } from './k8s-enums';

/** The vendored folder holding `k8s-1.27-definitions.json` and one CRD per `*.yaml` (see schemas/SOURCES.md). */
const SCHEMA_DIR = path.resolve(__dirname, '../../schemas');

const K8S_DEFINITIONS_FILE = 'k8s-1.27-definitions.json';
const K8S_SCHEMA_ID = 'k8s-1.27.json';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_MAP_KEYS = 'x-kubernetes-list-map-keys';
// resource.Quantity syntax, as controller-gen writes it on the quantity fields of CRDs.
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
// Formats whose ajv-formats check matches Kubernetes; any other format name is accepted unchecked.
const CHECKED_FORMATS = ['date-time', 'int32', 'int64', 'float', 'double', 'byte'] as const;

// Validation keywords kept as they are. Everything else (descriptions, defaults, x-kubernetes-*
// extensions) is dropped or translated in strictSchema(), so ajv never sees a keyword it does not know.
const KEPT_KEYWORDS = [
  '$ref', 'type', 'enum', 'const', 'format', 'pattern', 'required',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
];

interface Registry {
  readonly ajv: Ajv;
  /** `apiVersion/kind` → name of the Kubernetes definition. */
  readonly k8sKinds: Map<string, string>;
  /** `group/kind` → CRD file. */
  readonly crdFiles: Map<string, string>;
  /** CRD file → parsed CRD, parsed on first use. */
  readonly crds: Map<string, any>;
  /** `apiVersion/kind` → compiled validator. */
  readonly validators: Map<string, ValidateFunction>;
}

let registry: Registry | undefined;
const registeredSchemas = new Map<string, any>();

/**
 * Supplies the schema of a kind that has no CRD file (e.g. Istio AuthorizationPolicy). The schema is
 * read like a CRD's `openAPIV3Schema`: made strict the same way, `metadata` checked as ObjectMeta, and
 * `$ref: '#/definitions/<name>'` resolves to the Kubernetes definitions. Overrides any other schema.
 */
export function registerSchema(apiVersion: string, kind: string, jsonSchema: object): void {
  const key = kindKey(apiVersion, kind);
  registeredSchemas.set(key, jsonSchema);
  registry?.validators.delete(key);
}

/** The compiled validator for an apiVersion/kind, or undefined when no schema describes it. */
export function validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  const reg = getRegistry();
  const key = kindKey(apiVersion, kind);
  let validate = reg.validators.get(key);
  if (!validate) {
    const schema = schemaFor(reg, apiVersion, kind);
    if (!schema) return undefined;
    validate = reg.ajv.compile(schema);
    reg.validators.set(key, validate);
  }
  return validate;
}

function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

function schemaFor(reg: Registry, apiVersion: string, kind: string): object | undefined {
  const key = kindKey(apiVersion, kind);
  const registered = registeredSchemas.get(key);
  if (registered) return customResourceSchema(reg, registered);

  const definition = reg.k8sKinds.get(key);
  if (definition) return { $ref: `${K8S_SCHEMA_ID}#/definitions/${definition}` };

  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const file = reg.crdFiles.get(`${group}/${kind}`);
  if (!file) return undefined;
  let crd = reg.crds.get(file);
  if (!crd) {
    crd = YAML.parse(fs.readFileSync(file, 'utf8'));
    reg.crds.set(file, crd);
  }
  const version = (crd.spec.versions ?? []).find((v: any) => `${group}/${v.name}` === apiVersion && v.served !== false);
  const openApi = version?.schema?.openAPIV3Schema;
  return openApi && customResourceSchema(reg, openApi);
}

function customResourceSchema(reg: Registry, openApi: any): object {
  const schema = shareRepeatedSubschemas(strictSchema(openApi, { structural: true, prunes: true }, reg.ajv));
  // CRDs describe metadata as a bare object; the apiserver checks it as ObjectMeta.
  const metadata = { $ref: `${K8S_SCHEMA_ID}#/definitions/${OBJECT_META}` };
  schema.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata, ...schema.properties };
  schema.properties.metadata = metadata;
  return schema;
}

interface StrictContext {
  /**
   * False below allOf/anyOf/oneOf/not: there `properties` only constrain values of fields declared
   * elsewhere, so closing those objects would reject valid data.
   */
  readonly structural: boolean;
  /**
   * CRD semantics: the apiserver prunes every field an object schema does not declare, so an object
   * without `properties` accepts no fields at all. Built-in types with a bare `type: object` (FieldsV1,
   * RawExtension) are free-form instead.
   */
  readonly prunes: boolean;
}

/** A copy of a Kubernetes-flavoured schema that ajv checks strictly (see KEPT_KEYWORDS and StrictContext). */
function strictSchema(schema: any, ctx: StrictContext, ajv: Ajv): any {
  if (schema === null || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const keyword of KEPT_KEYWORDS) {
    if (schema[keyword] !== undefined) out[keyword] = schema[keyword];
  }
  if (typeof out.$ref === 'string') out.$ref = out.$ref.replace(/^#\/definitions\//, `${K8S_SCHEMA_ID}#/definitions/`);
  if (schema.properties) out.properties = mapValues(schema.properties, (s) => strictSchema(s, ctx, ajv));
  if (schema.patternProperties) out.patternProperties = mapValues(schema.patternProperties, (s) => strictSchema(s, ctx, ajv));
  if (schema.additionalProperties !== undefined) out.additionalProperties = strictSchema(schema.additionalProperties, ctx, ajv);
  if (schema.items !== undefined) {
    out.items = Array.isArray(schema.items)
      ? schema.items.map((s: any) => strictSchema(s, ctx, ajv))
      : strictSchema(schema.items, ctx, ajv);
  }
  const branch: StrictContext = { ...ctx, structural: false };
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(schema[keyword])) out[keyword] = schema[keyword].map((s: any) => strictSchema(s, branch, ajv));
  }
  if (schema.not !== undefined) out.not = strictSchema(schema.not, branch, ajv);

  if (schema['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
    // controller-gen adds anyOf [integer, string], which only restates the type and doubles every error.
    if (isIntOrStringAnyOf(out.anyOf)) delete out.anyOf;
  }
  if (schema.nullable === true) allowNull(out);
  if (schema['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  if (schema['x-kubernetes-list-type'] === 'map' && Array.isArray(schema[LIST_MAP_KEYS])) {
    out[LIST_MAP_KEYS] = schema[LIST_MAP_KEYS];
  }
  const closable = out.properties !== undefined || (ctx.prunes && out.type === 'object');
  if (ctx.structural && closable && out.additionalProperties === undefined
    && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (typeof out.format === 'string' && !ajv.formats[out.format]) ajv.addFormat(out.format, true);
  return out;
}

/**
 * controller-gen inlines the same sub-schemas (Container, Probe, Affinity...) wherever they are used,
 * hundreds of times in KServe's CRD. Moving every repeated object schema to `$defs` lets ajv compile each
 * once, which makes compiling the big CRDs several times faster.
 */
function shareRepeatedSubschemas(root: any): any {
  interface Entry { readonly id: string; uses: number }
  const entries = new Map<string, Entry>();
  const entryOf = new Map<any, Entry>();
  const intern = (schema: any): string => {
    const signature = JSON.stringify(mapSubschemas(schema, (child) => ({ $shared: intern(child) })));
    let entry = entries.get(signature);
    if (!entry) {
      entry = { id: `s${entries.size}`, uses: 0 };
      entries.set(signature, entry);
    }
    entry.uses++;
    entryOf.set(schema, entry);
    return entry.id;
  };
  intern(root);

  const $defs: Record<string, any> = {};
  const rebuild = (schema: any): any => {
    const entry = entryOf.get(schema)!;
    if (entry.uses < 2 || !schema.properties) return mapSubschemas(schema, rebuild);
    if (!$defs[entry.id]) {
      $defs[entry.id] = {}; // reserves the id while the children are rebuilt
      $defs[entry.id] = mapSubschemas(schema, rebuild);
    }
    return { $ref: `#/$defs/${entry.id}` };
  };
  return { ...mapSubschemas(root, rebuild), $defs };
}

/** A shallow copy of a schema with fn applied to each direct sub-schema. */
function mapSubschemas(schema: any, fn: (child: any) => any): any {
  if (schema === null || typeof schema !== 'object') return schema;
  const out = { ...schema };
  if (schema.properties) out.properties = mapValues(schema.properties, fn);
  if (schema.patternProperties) out.patternProperties = mapValues(schema.patternProperties, fn);
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = fn(schema.additionalProperties);
  if (Array.isArray(schema.items)) out.items = schema.items.map(fn);
  else if (typeof schema.items === 'object') out.items = fn(schema.items);
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(schema[keyword])) out[keyword] = schema[keyword].map(fn);
  }
  if (typeof schema.not === 'object') out.not = fn(schema.not);
  return out;
}

function mapValues(obj: Record<string, any>, fn: (value: any) => any): Record<string, any> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}

function isIntOrStringAnyOf(anyOf: any): boolean {
  return Array.isArray(anyOf) && anyOf.length === 2
    && anyOf.every((s: any) => Object.keys(s).length === 1 && (s.type === 'integer' || s.type === 'string'));
}

function allowNull(schema: any): void {
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type)) schema.type = [...schema.type, 'null'];
  if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
}

function getRegistry(): Registry {
  registry ??= createRegistry(SCHEMA_DIR);
  return registry;
}

/**
 * CRD patterns are Go (RE2) regular expressions: a leading inline `(?i)` flag (prometheus-operator uses it) is not
 * JavaScript syntax, so it becomes the `i` flag.
 */
function goRegExp(pattern: string, flags: string): RegExp {
  const inline = /\(\?i\)/;
  return inline.test(pattern) ? new RegExp(pattern.replace(inline, ''), `${flags}i`) : new RegExp(pattern, flags);
}
goRegExp.code = 'goRegExp';

function createRegistry(dir: string): Registry {
  if (!fs.existsSync(path.join(dir, K8S_DEFINITIONS_FILE))) {
    throw new Error(`${K8S_DEFINITIONS_FILE} not found in ${dir}`);
  }
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, code: { regExp: goRegExp } });
  addFormats(ajv, [...CHECKED_FORMATS]);
  ajv.addKeyword({
    keyword: LIST_MAP_KEYS,
    type: 'array',
    schemaType: 'array',
    errors: true,
    validate: function uniqueListMapKeys(keys: string[], items: any[], _parent: any, dataCxt: any): boolean {
      // The apiserver rejects two entries of a list-type=map list with the same key values.
      const seen = new Set<string>();
      const errors: Partial<ErrorObject>[] = [];
      items.forEach((item, i) => {
        const id = JSON.stringify(keys.map((k) => item?.[k]));
        if (seen.has(id)) {
          errors.push({
            instancePath: `${dataCxt?.instancePath ?? ''}/${i}`,
            keyword: LIST_MAP_KEYS,
            params: { keys },
            message: `duplicate entry: another entry has the same ${keys.join(', ')}`,
          });
        }
        seen.add(id);
      });
      (uniqueListMapKeys as any).errors = errors;
      return errors.length === 0;
    },
  });

  const raw = JSON.parse(fs.readFileSync(path.join(dir, K8S_DEFINITIONS_FILE), 'utf8')).definitions;
  const definitions: Record<string, any> = {};
  const k8sKinds = new Map<string, string>();
  for (const [name, definition] of Object.entries<any>(raw)) {
    definitions[name] = strictSchema(definition, { structural: true, prunes: false }, ajv);
    for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
      k8sKinds.set(kindKey(gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind), name);
    }
  }
  // Their oneOf [string, integer|number] would report both failing branches; a type list says it once.
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { type: ['integer', 'string'] };
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { type: ['string', 'number'], pattern: QUANTITY_PATTERN };
  for (const [name, properties] of Object.entries(K8S_ENUMS)) {
    for (const [property, values] of Object.entries(properties)) {
      const schema = definitions[name]?.properties?.[property];
      if (!schema) throw new Error(`K8S_ENUMS: ${name} has no property ${property}`);
      (schema.type === 'array' ? schema.items : schema).enum = values;
    }
  }
  ajv.addSchema({ $id: K8S_SCHEMA_ID, definitions });

  return { ajv, k8sKinds, crdFiles: indexCrds(dir), crds: new Map(), validators: new Map() };
}

/** `group/kind` → file, for every CRD in the folder. */
function indexCrds(dir: string): Map<string, string> {
  const index = new Map<string, string>();
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const file = path.join(dir, name);
    const crd = readCrdHead(file);
    if (crd?.spec?.group && crd?.spec?.names?.kind) index.set(`${crd.spec.group}/${crd.spec.names.kind}`, file);
  }
  return index;
}

/**
 * Parsing all CRDs takes over a second, and the index only needs spec.group and spec.names, which
 * come before spec.versions: parse the text up to `versions:`, or the whole file if that is not enough.
 */
function readCrdHead(file: string): any {
  const text = fs.readFileSync(file, 'utf8');
  const cut = text.search(/^ {2}versions:/m);
  if (cut > 0) {
    try {
      const head = YAML.parse(text.slice(0, cut));
      if (head?.spec?.group && head?.spec?.names?.kind) return head;
    } catch {
      // Not valid YAML on its own: fall through to the full document.
    }
  }
  return YAML.parse(text);
}
