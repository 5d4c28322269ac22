// The speaker's writes to the API server: ServiceL2Status objects and its ConfigurationState by server-side
// apply (field manager upstream's `metallb-speaker`), Events through kube/eventrecorder (aggregated, never a
// storm).
import { METALLB } from '../../api/resources';
import { applyObject, applyStatus } from '../../kube/apply';
import type { EventRecorder } from '../../kube/eventrecorder';
import type { KubeObject } from '../../kube/object';
import { objectPath, type ResourceRef } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import type { L2StatusWriter, ServiceEvents } from '../reconcile/layer2';
import type { BGPServiceEvents, BGPStatusWriter } from '../reconcile/bgp';
import {
  renderConfigState,
  type PodOwner,
  type renderBGPStatus,
  type renderL2Status,
  type SpeakerStateReport,
} from '../reconcile/status';

export const FIELD_MANAGER = 'metallb-speaker';

/** Writes one kind of our per-Service status objects (ServiceL2Status, ServiceBGPStatus). */
class RestServiceStatusWriter<T extends { metadata: { namespace: string }; status: unknown }> {
  constructor(
    private readonly rest: RestClient,
    private readonly resource: ResourceRef,
  ) {}

  async apply(status: T): Promise<void> {
    const { status: body, ...object } = status;
    await applyObject(this.rest, this.resource, object, { fieldManager: FIELD_MANAGER });
    await applyStatus(
      this.rest,
      this.resource,
      { metadata: object.metadata, status: body },
      { fieldManager: FIELD_MANAGER },
    );
  }

  async delete(namespace: string, name: string): Promise<void> {
    await this.rest.request({ method: 'DELETE', path: objectPath(this.resource, name, namespace) });
  }
}

export class RestL2StatusWriter
  extends RestServiceStatusWriter<ReturnType<typeof renderL2Status>>
  implements L2StatusWriter
{
  constructor(rest: RestClient) {
    super(rest, METALLB.serviceL2Statuses);
  }
}

export class RestBGPStatusWriter
  extends RestServiceStatusWriter<ReturnType<typeof renderBGPStatus>>
  implements BGPStatusWriter
{
  constructor(rest: RestClient) {
    super(rest, METALLB.serviceBGPStatuses);
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
const nodeAssigned = (recorder: EventRecorder, protocol: string) => (svc: KubeObject, node: string) =>
  recorder.event(svc, 'Normal', 'nodeAssigned', `announcing from node "${node}" with protocol "${protocol}"`);

export function serviceEvents(recorder: EventRecorder): ServiceEvents {
  return {
    nodeAssigned: nodeAssigned(recorder, 'layer2'),
    announceFailed: (svc, ip, node) =>
      recorder.event(
        svc,
        'Warning',
        'announceFailed',
        `the interfaces specified by LB IP "${ip}" doesn't exist in assigned node "${node}" with protocol "layer2"`,
      ),
  };
}

export function bgpServiceEvents(recorder: EventRecorder): BGPServiceEvents {
  return { nodeAssigned: nodeAssigned(recorder, 'bgp') };
}
