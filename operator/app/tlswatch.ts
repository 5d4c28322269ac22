// The operands' TLS settings as they stand now: the environment's (TLS_*), or on OpenShift what the cluster's
// APIServer `cluster` makes of them (its profile, tlsprofile.ts, under its adherence policy, tlsadherence.ts),
// kept current from an informer of that one object.
// Upstream's operator reads the profile at start and restarts itself when the profile or its adherence
// policy changes (metallb-operator pkg/openshift/tls.go SetupProfileWatcher); here a change that alters the
// settings re-renders the operands at once (onChange), without a restart, and one that does not is ignored.
import type { Logger } from '../../kube/log';
import { describeError } from '../../kube/errors';
import type { ResourceRef } from '../../kube/resource';
import { tlsServerSettings, type TlsServerSettings } from '../../kube/tls/settings';
import type { TlsOptions } from '../../render/options';
import { TLS_VARIABLES } from '../env';
import { resolveClusterTls } from './tlsadherence';
import { TlsProfileError } from './tlsprofile';

export const APISERVERS: ResourceRef = {
  group: 'config.openshift.io',
  version: 'v1',
  plural: 'apiservers',
  kind: 'APIServer',
  namespaced: false,
};

/** The informer's scope: the one object the profile lives on (RBAC grants it by resourceNames). */
export const CLUSTER_APISERVER_SELECTOR = 'metadata.name=cluster';

/** What the reconciler and the operator's webhook ask for the settings in force. */
export interface TlsSettingsSource {
  current(): TlsOptions | undefined;
}

/**
 * The settings as Node's server options, for the operator's own webhook server: the operands' flags
 * through the operands' parser, so the operator serves what its operands serve.
 */
export function serverSettingsFor(tls: TlsOptions | undefined): TlsServerSettings {
  return tlsServerSettings(
    {
      minVersion: tls?.minVersion ?? '',
      cipherSuites: tls?.cipherSuites ?? '',
      curvePreferences: tls?.curvePreferences ?? '',
    },
    TLS_VARIABLES,
  );
}

export function sameTlsOptions(a: TlsOptions | undefined, b: TlsOptions | undefined): boolean {
  return (
    a?.minVersion === b?.minVersion &&
    a?.cipherSuites === b?.cipherSuites &&
    a?.curvePreferences === b?.curvePreferences
  );
}

export interface ClusterTlsSettingsOptions {
  /** TLS_* from the operator's environment (operator/env.ts). */
  readonly environment: TlsOptions | undefined;
  readonly logger: Logger;
  /** Called with the new settings whenever they change. */
  readonly onChange: (tls: TlsOptions | undefined) => void;
}

export class ClusterTlsSettings implements TlsSettingsSource {
  private settings: TlsOptions | undefined;
  /** The unknown adherence policy last warned about, so a resync does not warn again. */
  private warnedPolicy: string | undefined;

  constructor(private readonly options: ClusterTlsSettingsOptions) {
    this.settings = options.environment;
  }

  current(): TlsOptions | undefined {
    return this.settings;
  }

  /**
   * The APIServer `cluster` as the informer now has it, undefined once it is gone (the environment's
   * settings then apply again). A profile the operator cannot read keeps the settings in force: the
   * operands keep serving as they did, and the error names the field.
   */
  observe(apiServer: unknown): void {
    const { environment, logger } = this.options;
    let next: TlsOptions | undefined;
    let adherence: string | undefined;
    if (apiServer === undefined) {
      next = environment;
    } else {
      try {
        const decision = resolveClusterTls(apiServer, environment);
        next = decision.tls;
        adherence = decision.adherence;
        if (decision.isUnknownPolicy && decision.adherence !== this.warnedPolicy) {
          this.warnedPolicy = decision.adherence;
          logger.warn('unknown TLS adherence policy, treated as StrictAllComponents', {
            tlsAdherence: decision.adherence,
          });
        }
      } catch (err) {
        if (!(err instanceof TlsProfileError)) throw err;
        logger.error('cluster TLS security profile not applied; TLS settings unchanged', {
          error: describeError(err),
        });
        return;
      }
    }
    if (sameTlsOptions(next, this.settings)) return;
    this.settings = next;
    logger.info(
      apiServer === undefined
        ? 'TLS settings from the environment'
        : 'TLS settings from the cluster TLS security profile',
      { ...next, ...(adherence !== undefined ? { tlsAdherence: adherence } : {}) },
    );
    this.options.onChange(next);
  }
}
