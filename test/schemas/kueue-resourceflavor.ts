/**
 * Kueue `ResourceFlavor` (kueue.x-k8s.io/v1beta2): there is no CRD file for it among the shared CRDs, so this
 * hand-written schema stands in, written like a CRD's openAPIV3Schema from Kueue's API types (ResourceFlavorSpec:
 * nodeLabels, nodeTaints, tolerations, topologyName, at most 8 of each). Register it with the validation harness:
 * `registerSchema(RESOURCE_FLAVOR_API_VERSION, 'ResourceFlavor', RESOURCE_FLAVOR_SCHEMA)`.
 */
export const RESOURCE_FLAVOR_API_VERSION = 'kueue.x-k8s.io/v1beta2';

const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

export const RESOURCE_FLAVOR_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        nodeLabels: {
          type: 'object',
          maxProperties: 8,
          additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE },
        },
        nodeTaints: {
          type: 'array',
          maxItems: 8,
          items: { $ref: '#/definitions/io.k8s.api.core.v1.Taint' },
        },
        tolerations: {
          type: 'array',
          maxItems: 8,
          items: { $ref: '#/definitions/io.k8s.api.core.v1.Toleration' },
        },
        topologyName: { type: 'string', maxLength: 253 },
      },
    },
  },
};
