// Everything ironlb installs, in apply order: the namespace first, identities and RBAC before the pods that use
// them, the webhook configuration last so the API server does not call a webhook before its Service exists.
// A new component is one module exporting a Part and one line here.
import { renderControllerDeployment } from './controller';
import { renderControllerRbac } from './controllerrbac';
import { renderFrrStartupConfigMap } from './frr';
import { renderMonitoring } from './monitoring';
import { renderNamespace } from './namespace';
import { renderNetworkPolicies } from './networkpolicy';
import { renderSpeakerScc } from './openshift';
import { type InstallOptions, type InstallOptionsInput, resolveInstallOptions } from './options';
import type { AnnotatedObject, Part, RenderedObject } from './object';
import { renderServiceAccounts } from './serviceaccounts';
import { renderSpeakerDaemonSet } from './speaker';
import { renderSpeakerRbac } from './speakerrbac';
import { renderWebhookCertSecret } from './webhookcert';
import { renderWebhookConfiguration } from './webhookconfig';
import { renderWebhookService } from './webhookservice';

export const INSTALL_PARTS: readonly Part<InstallOptions>[] = [
  renderNamespace,
  renderServiceAccounts,
  renderWebhookCertSecret,
  renderControllerRbac,
  renderSpeakerRbac,
  renderSpeakerScc,
  renderWebhookService,
  renderNetworkPolicies,
  renderFrrStartupConfigMap,
  renderControllerDeployment,
  renderSpeakerDaemonSet,
  renderMonitoring,
  renderWebhookConfiguration,
];

/**
 * What the operator applies for its MetalLB resource: INSTALL_PARTS without the namespace (the operator's
 * own), the ServiceAccounts and the RBAC. Those come with the operator's install (the bundle's CSV, as
 * upstream's operator skips the chart's RBAC: metallb-operator pkg/helm/metallb.go). The one grant it writes
 * is OpenShift's: the speaker SCC and the Role that lets the speaker use it (render/openshift.ts), which the
 * operator may grant because it holds `use` on that one SCC itself.
 */
export const OPERAND_PARTS: readonly Part<InstallOptions>[] = [
  renderSpeakerScc,
  renderWebhookCertSecret,
  renderWebhookService,
  renderNetworkPolicies,
  renderFrrStartupConfigMap,
  renderControllerDeployment,
  renderSpeakerDaemonSet,
  renderMonitoring,
  renderWebhookConfiguration,
];

/** The operand objects, in apply order, from resolved options. */
export function renderOperands(opts: InstallOptions): RenderedObject[] {
  return OPERAND_PARTS.flatMap((part) => part(opts)).map((a) => a.object);
}

/** The install objects with their notes, for the generated manifest. */
export function renderAnnotatedInstall(input: InstallOptionsInput = {}): AnnotatedObject[] {
  const opts = resolveInstallOptions(input);
  return INSTALL_PARTS.flatMap((part) => part(opts));
}

/** The install objects as plain data, for server-side apply. */
export function renderInstall(input: InstallOptionsInput = {}): RenderedObject[] {
  return renderAnnotatedInstall(input).map((a) => a.object);
}
