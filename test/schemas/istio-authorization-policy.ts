/**
 * A strict hand-written schema of Istio's `security.istio.io/v1` AuthorizationPolicy (no CRD file exists for it in
 * the shared schema folder). It follows Istio's API reference for the fields a policy can carry; tests register it
 * with the harness: `registerSchema('security.istio.io/v1', 'AuthorizationPolicy', AUTHORIZATION_POLICY_SCHEMA)`.
 */
const strings = { type: 'array', items: { type: 'string' } };

export const AUTHORIZATION_POLICY_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    spec: {
      type: 'object',
      properties: {
        selector: {
          type: 'object',
          properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        targetRefs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['kind', 'name'],
            properties: { group: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } },
          },
        },
        action: { type: 'string', enum: ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] },
        provider: { type: 'object', properties: { name: { type: 'string' } } },
        rules: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              from: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    source: {
                      type: 'object',
                      properties: {
                        principals: strings, notPrincipals: strings, requestPrincipals: strings, notRequestPrincipals: strings,
                        namespaces: strings, notNamespaces: strings, ipBlocks: strings, notIpBlocks: strings,
                        remoteIpBlocks: strings, notRemoteIpBlocks: strings,
                      },
                    },
                  },
                },
              },
              to: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    operation: {
                      type: 'object',
                      properties: {
                        hosts: strings, notHosts: strings, ports: strings, notPorts: strings,
                        methods: strings, notMethods: strings, paths: strings, notPaths: strings,
                      },
                    },
                  },
                },
              },
              when: {
                type: 'array',
                items: { type: 'object', required: ['key'], properties: { key: { type: 'string' }, values: strings, notValues: strings } },
              },
            },
          },
        },
      },
    },
  },
};
