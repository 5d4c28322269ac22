// Everything ironlb installs, in apply order: the namespace first, identities and RBAC before the pods that use
// them, the webhook configuration last so the API server does not call a webhook before its Service exists.
// A new component is one module exporting a Part and one line here.
import { renderControllerDeployment } from './controller';
import { renderControllerRbac } from './controllerrbac';
import { renderNamespace } from './namespace';
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
  renderWebhookService,
  renderControllerDeployment,
  renderSpeakerDaemonSet,
  renderWebhookConfiguration,
];

/** The install objects with their notes, for the generated manifest. */
export function renderAnnotatedInstall(input: InstallOptionsInput = {}): AnnotatedObject[] {
  const opts = resolveInstallOptions(input);
  return INSTALL_PARTS.flatMap((part) => part(opts));
}

/** The install objects as plain data, for server-side apply. */
export function renderInstall(input: InstallOptionsInput = {}): RenderedObject[] {
  return renderAnnotatedInstall(input).map((a) => a.object);
}
