// One reconcile of the MetalLB resource (metallb-operator controllers/metallb_controller.go Reconcile), level
// triggered: whatever woke it, it reads the resource from the cache and converges the operands on it.
//   - only `metallb` in the operator's namespace is served; another name is marked Degraded
//     (IncorrectMetalLBResourceName) and renders nothing;
//   - an invalid or unsupported spec is marked Degraded and leaves the running operands as they are;
//   - otherwise every operand is server-side applied in order, objects other settings rendered are deleted,
//     and the conditions follow the controller Deployment and the speaker DaemonSet as the apply returned them
//     (fresher than any cache);
//   - when `metallb` is gone, the garbage collector removes the namespaced operands (they are owned); the
//     cluster-scoped ones cannot be owned, so the reconcile deletes those.
// A failed write is marked Degraded and thrown, so the runner retries it with backoff.
import type { Logger } from '../../kube/log';
import { z } from 'zod';
import type { Condition } from '../../api/meta';
import { MetalLB } from '../../api/metallb';
import type { Clock } from '../../kube/clock';
import { describeError } from '../../kube/errors';
import { splitKey, type KubeObject } from '../../kube/object';
import type { ReconcileResult, Reconciler } from '../../kube/reconciler';
import { renderOperands } from '../../render/install';
import { CONVERSION_CRD, conversionCrdAnnotations } from '../../render/openshift';
import { resolveInstallOptions, type Platform } from '../../render/options';
import type { OperatorEnvironment } from '../env';
import { MANAGED_BY, idOf, renderForMetalLB, type ObjectId } from '../render/operands';
import { describeViolations, validateMetalLBSpec, type ValidationEnvironment } from '../validate';
import type { MetalLBStatusWriter, OperandClient } from './operandclient';
import type { TlsSettingsSource } from './tlswatch';
import {
  REASONS,
  conditionsFor,
  daemonSetNotReady,
  deploymentNotReady,
  sameConditions,
  type Outcome,
} from './status';

/** Upstream's singleton name (metallb-operator controllers/metallb_controller.go). */
export const METALLB_NAME = 'metallb';

export interface MetalLBReconcilerOptions {
  readonly env: OperatorEnvironment;
  /** The TLS settings in force, read at each reconcile (tlswatch.ts); `env.tls` when absent. */
  readonly tlsSettings?: TlsSettingsSource;
  /** Detected at start (platform.ts); default kubernetes. */
  readonly platform?: Platform;
  readonly validation?: ValidationEnvironment;
  /** The informer's cache of MetalLB resources in the operator's namespace. */
  readonly metallbs: { get(key: string): KubeObject | undefined };
  readonly client: OperandClient;
  readonly status: MetalLBStatusWriter;
  readonly clock: Clock;
  readonly logger: Logger;
}

const Owned = z.looseObject({
  metadata: z.looseObject({
    labels: z.record(z.string(), z.string()).optional(),
    ownerReferences: z
      .array(z.looseObject({ uid: z.string(), controller: z.boolean().optional() }))
      .optional(),
  }),
});

export class ApplyFailedError extends Error {
  override readonly name = 'ApplyFailedError';
}

export class MetalLBReconciler implements Reconciler {
  constructor(private readonly options: MetalLBReconcilerOptions) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { env, logger } = this.options;
    const { namespace, name } = splitKey(key);
    // The informer only lists this namespace; a key from elsewhere is not ours to touch.
    if (namespace !== env.namespace) return;
    const cached = this.options.metallbs.get(key);
    if (cached === undefined) {
      if (name === METALLB_NAME) await this.removeClusterScoped();
      return;
    }
    const parsed = MetalLB.safeParse(cached);
    const generation = cached.metadata?.generation;
    const previous = parsed.success ? (parsed.data.status?.conditions ?? []) : [];
    const report = (outcome: Outcome) => this.writeStatus(name, outcome, generation, previous);

    if (name !== METALLB_NAME) {
      logger.warn('ignoring MetalLB resource with the wrong name', { metallb: key, expected: METALLB_NAME });
      return report({
        kind: 'degraded',
        reason: REASONS.incorrectName,
        message: `Incorrect MetalLB resource name: ${name}`,
      });
    }
    if (cached.metadata && 'deletionTimestamp' in cached.metadata) return;
    if (!parsed.success) {
      return report({ kind: 'degraded', reason: REASONS.invalidSpec, message: parsed.error.message });
    }
    const violations = validateMetalLBSpec(parsed.data.spec, this.options.validation);
    if (violations.length > 0)
      return report({
        kind: 'degraded',
        reason: REASONS.invalidSpec,
        message: describeViolations(violations),
      });

    const uid = parsed.data.metadata.uid ?? '';
    const tlsSettings = this.options.tlsSettings;
    const rendered = tlsSettings === undefined ? env : { ...env, tls: tlsSettings.current() };
    const operands = renderForMetalLB(parsed.data.spec, { name, uid }, rendered, this.options.platform);
    if (operands.kind === 'unsupported') {
      return report({
        kind: 'degraded',
        reason: REASONS.unsupported,
        message: `${operands.field} ${JSON.stringify(operands.value)}: ${operands.reason}`,
      });
    }

    let deployment: unknown;
    let daemonSet: unknown;
    try {
      for (const obj of operands.objects) {
        const stored = await this.options.client.apply(obj);
        if (obj.kind === 'Deployment') deployment = stored;
        if (obj.kind === 'DaemonSet') daemonSet = stored;
      }
      for (const id of operands.stale) await this.deleteIfOurs(id, uid);
      await this.annotateConversionCrd();
    } catch (err) {
      const message = describeError(err);
      await report({ kind: 'degraded', reason: REASONS.applyFailed, message });
      throw new ApplyFailedError(`MetalLB ${key}: ${message}`);
    }

    const notReady = [
      deployment === undefined ? undefined : deploymentNotReady(deployment),
      daemonSet === undefined ? undefined : daemonSetNotReady(daemonSet),
    ];
    const [deploymentWait, daemonSetWait] = notReady;
    if (deploymentWait !== undefined || daemonSetWait !== undefined) {
      return report({
        kind: 'progressing',
        reason: deploymentWait !== undefined ? REASONS.deploymentNotReady : REASONS.daemonSetNotReady,
        message: notReady.filter((m) => m !== undefined).join('; '),
      });
    }
    return report({ kind: 'available' });
  }

  /**
   * On OpenShift, asks the service CA for the BGPPeer conversion webhook's caBundle (render/openshift.ts).
   * Every reconcile, so an OLM upgrade that rewrites the CRD from the bundle gets it back; never undone, as
   * the CRD outlives the MetalLB resource. An absent CRD (crds/ not applied yet) is not an error: nothing
   * converts BGPPeers then.
   */
  private async annotateConversionCrd(): Promise<void> {
    const annotations = conversionCrdAnnotations(this.options.platform ?? 'kubernetes');
    if (Object.keys(annotations).length === 0) return;
    if (!(await this.options.client.annotateCrd(CONVERSION_CRD, annotations)))
      this.options.logger.warn('CRD not installed; BGPPeer conversion gets no CA bundle until it is', {
        crd: CONVERSION_CRD,
      });
  }

  private async writeStatus(
    name: string,
    outcome: Outcome,
    generation: number | undefined,
    previous: readonly Condition[],
  ): Promise<void> {
    const next = conditionsFor(outcome, generation, new Date(this.options.clock.now()), previous);
    if (sameConditions(previous, next)) return;
    await this.options.status.writeConditions(this.options.env.namespace, name, next);
  }

  /** Deletes a stale object only if this MetalLB controls it (or, cluster-scoped, the operator made it). */
  private async deleteIfOurs(id: ObjectId, ownerUid: string): Promise<void> {
    const current = await this.options.client.get(id);
    if (current === undefined) return;
    const meta = Owned.parse(current).metadata;
    const isOurs =
      id.namespace !== undefined
        ? (meta.ownerReferences ?? []).some((r) => r.controller === true && r.uid === ownerUid)
        : meta.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY['app.kubernetes.io/managed-by'];
    if (!isOurs) return;
    this.options.logger.info('deleting operand no longer rendered', { kind: id.kind, name: id.name });
    await this.options.client.delete(id);
  }

  private async removeClusterScoped(): Promise<void> {
    const everything = renderOperands(
      resolveInstallOptions({ namespace: this.options.env.namespace, platform: this.options.platform }),
    );
    for (const obj of everything.filter((o) => o.metadata.namespace === undefined)) {
      await this.deleteIfOurs(idOf(obj), '');
    }
  }
}
