/**
 * Kinds the library emits for which ../shared/crds has no CRD file: their hand-written strict schemas (in
 * test/schemas) are registered for every test, so the examples test validates them like any other kind.
 */
import { AUTHORIZATION_POLICY_SCHEMA } from '../schemas/istio-authorization-policy';
import { RESOURCE_FLAVOR_API_VERSION, RESOURCE_FLAVOR_SCHEMA } from '../schemas/kueue-resourceflavor';
import { registerSchema } from './schemas';

registerSchema('security.istio.io/v1', 'AuthorizationPolicy', AUTHORIZATION_POLICY_SCHEMA);
registerSchema(RESOURCE_FLAVOR_API_VERSION, 'ResourceFlavor', RESOURCE_FLAVOR_SCHEMA);
