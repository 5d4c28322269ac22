// Which platform the operator runs on, from API discovery, once at start: OpenShift when the API server serves
// security.openshift.io/v1 securitycontextconstraints, the API the speaker's SCC is written to (upstream
// metallb-operator pkg/platform/platform.go asks for route.openshift.io instead; the SCC API is the one the
// OpenShift rendering depends on, so its presence is the signal that matters). Nothing else changes at run
// time: a cluster does not become OpenShift while the operator runs.
import { isServed } from '../../kube/informerfactory';
import type { RestClient } from '../../kube/rest';
import type { Platform } from '../../render/options';
import { SCC_RESOURCE } from './resources';

export async function detectPlatform(rest: RestClient): Promise<Platform> {
  return (await isServed(rest, SCC_RESOURCE)) ? 'openshift' : 'kubernetes';
}
