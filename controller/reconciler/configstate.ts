// The ConfigurationState named "controller" (upstream ConfigurationStateReconciler,
// internal/k8s/controllers/configuration_state_controller.go): whether the last configuration built, and
// why not. One object, so one key. The pool reconciler reports after every build; the object is written
// only when the report differs from what was written, or when the object was deleted (upstream recreates it).
import type { Reconciler } from '../../kube/reconciler';
import type { ConfigStateWriter } from './statuswriters';
import { CONFIG_STATE_NAME } from './statuswriters';

/** The single key of the ConfigurationState reconciler's queue: the object's name. */
export const CONFIG_STATE_KEY = CONFIG_STATE_NAME;

export interface ConfigStateReconcilerOptions {
  /** The MetalLB namespace, where the ConfigurationState lives. */
  readonly namespace: string;
  readonly writer: ConfigStateWriter;
  /** Queue the ConfigurationState now (coalesced with any pending add). */
  readonly enqueue: () => void;
}

export class ConfigStateReconciler implements Reconciler {
  private reported: readonly string[] | undefined;
  private written: string | undefined;

  constructor(private readonly options: ConfigStateReconcilerOptions) {}

  /** The latest build's errors; empty when the configuration is valid. */
  report(errors: readonly string[]): void {
    this.reported = errors;
    if (JSON.stringify(errors) !== this.written) this.options.enqueue();
  }

  /** The object was deleted: write it again. */
  resend(): void {
    this.written = undefined;
    if (this.reported) this.options.enqueue();
  }

  async reconcile(): Promise<void> {
    const errors = this.reported;
    if (!errors) return;
    const text = JSON.stringify(errors);
    if (text === this.written) return;
    await this.options.writer.writeConfigState(this.options.namespace, { errors });
    this.written = text;
  }
}
