// The speaker's writes to the API server: ServiceL2Status objects and its ConfigurationState by server-side
// apply (field manager upstream's `metallb-speaker`), Events through kube/eventrecorder (aggregated, never a
// storm).
import { METALLB } from '../../api/resources';
import { applyObject, applyStatus } from '../../kube/apply';
import type { EventRecorder } from '../../kube/eventrecorder';
import { objectPath } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import type { L2StatusWriter, ServiceEvents } from '../reconcile/layer2';
import {
  renderConfigState,
  type PodOwner,
  type renderL2Status,
  type SpeakerStateReport,
} from '../reconcile/status';

export const FIELD_MANAGER = 'metallb-speaker';

export class RestL2StatusWriter implements L2StatusWriter {
  constructor(private readonly rest: RestClient) {}

  async apply(status: ReturnType<typeof renderL2Status>): Promise<void> {
    const { status: body, ...object } = status;
    await applyObject(this.rest, METALLB.serviceL2Statuses, object, { fieldManager: FIELD_MANAGER });
    await applyStatus(
      this.rest,
      METALLB.serviceL2Statuses,
      { metadata: object.metadata, status: body },
      { fieldManager: FIELD_MANAGER },
    );
  }

  async delete(namespace: string, name: string): Promise<void> {
    await this.rest.request({
      method: 'DELETE',
      path: objectPath(METALLB.serviceL2Statuses, name, namespace),
    });
  }
}

const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Writes `speaker-<node>` when its content changes; transition times move only when a status flips. */
export class ConfigStateWriter {
  private last = '';
  private times = { config: '', announcer: '' };
  private lastFlags: { config?: boolean; announcer?: boolean } = {};

  constructor(
    private readonly rest: RestClient,
    private readonly namespace: string,
    private readonly node: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Forget what was written, so the next write goes out (the object was deleted). */
  reset(): void {
    this.last = '';
  }

  async write(report: SpeakerStateReport, owner: PodOwner | undefined): Promise<void> {
    const configOk = report.configErrors === undefined ? undefined : report.configErrors.length === 0;
    const announcerOk = report.announcerProblem === undefined;
    const stamp = isoSeconds(this.now());
    if (this.lastFlags.config !== configOk) this.times.config = stamp;
    if (this.lastFlags.announcer !== announcerOk) this.times.announcer = stamp;
    this.lastFlags = { ...(configOk !== undefined ? { config: configOk } : {}), announcer: announcerOk };
    const state = renderConfigState(this.namespace, this.node, report, owner, this.times);
    const content = JSON.stringify(state);
    if (content === this.last) return;
    await applyObject(
      this.rest,
      METALLB.configurationStates,
      { metadata: state.metadata },
      { fieldManager: FIELD_MANAGER },
    );
    await applyStatus(this.rest, METALLB.configurationStates, state, { fieldManager: FIELD_MANAGER });
    this.last = content;
  }
}

/** upstream's speaker Events on Services (speaker/main.go handleService, layer2_controller.go SetBalancer). */
export function serviceEvents(recorder: EventRecorder): ServiceEvents {
  return {
    nodeAssigned: (svc, node) =>
      recorder.event(svc, 'Normal', 'nodeAssigned', `announcing from node "${node}" with protocol "layer2"`),
    announceFailed: (svc, ip, node) =>
      recorder.event(
        svc,
        'Warning',
        'announceFailed',
        `the interfaces specified by LB IP "${ip}" doesn't exist in assigned node "${node}" with protocol "layer2"`,
      ),
  };
}
