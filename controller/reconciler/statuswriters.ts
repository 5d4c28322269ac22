// The controller's reports on metallb.io objects, by server-side apply: IPAddressPool status (assigned and
// available addresses per family) and the ConfigurationState named "controller". Both are written only
// when their content changes, which the callers track.
import { applyObject, applyStatus } from '../../kube/apply';
import { RestClient } from '../../kube/rest';
import { PoolCounts } from '../allocator/poolspace';
import { METALLB } from '../../api/resources';

export interface PoolStatusWriter {
  writePoolStatus(namespace: string, pool: string, counts: PoolCounts): Promise<void>;
}

export interface ConfigurationStateReport {
  /** Empty when the configuration is valid. */
  readonly errors: readonly string[];
}

export interface ConfigStateWriter {
  writeConfigState(namespace: string, report: ConfigurationStateReport): Promise<void>;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const rawJSON: ((text: string) => unknown) | undefined = (() => {
  const f: unknown = Reflect.get(JSON, 'rawJSON');
  return typeof f === 'function' ? (text: string): unknown => f.call(JSON, text) : undefined;
})();

/**
 * An int64 for a JSON body. Counts of IPv6 pools reach MaxInt64, beyond a double's exact range: Node 24's
 * JSON.rawJSON writes the exact digits; without it the value is capped rather than rounded past int64.
 */
export function int64(value: bigint): unknown {
  if (value <= MAX_SAFE) return Number(value);
  return rawJSON ? rawJSON(value.toString()) : Number.MAX_SAFE_INTEGER;
}

export const FIELD_MANAGER = 'metallb-controller';
export const CONFIG_STATE_NAME = 'controller';
export const POOL_CONDITION = 'poolReconcilerValid';

/** What ConfigurationState's status says about a set of errors (upstream api/v1beta1/configurationstate_types.go). */
export function configurationStateStatus(report: ConfigurationStateReport, transitionTime: string) {
  const valid = report.errors.length === 0;
  const message = valid ? '' : report.errors.join('\n');
  return {
    result: valid ? 'Valid' : 'Invalid',
    errorSummary: message,
    conditions: [
      {
        type: POOL_CONDITION,
        status: valid ? 'True' : 'False',
        reason: valid ? 'Reconciled' : 'ConfigurationError',
        message,
        lastTransitionTime: transitionTime,
      },
    ],
  };
}

/** The controller's Pod, owner of its ConfigurationState so the object goes away with it. */
export interface PodOwner {
  readonly name: string;
  readonly uid: string;
}

export class RestStatusWriters implements PoolStatusWriter, ConfigStateWriter {
  private lastValid: boolean | undefined;
  private transitionTime = '';
  private owner: PodOwner | undefined;

  constructor(
    private readonly rest: RestClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  setOwner(owner: PodOwner): void {
    this.owner = owner;
  }

  async writePoolStatus(namespace: string, pool: string, counts: PoolCounts): Promise<void> {
    const obj = {
      metadata: { name: pool, namespace },
      status: {
        assignedIPv4: int64(counts.assignedIPv4),
        assignedIPv6: int64(counts.assignedIPv6),
        availableIPv4: int64(counts.availableIPv4),
        availableIPv6: int64(counts.availableIPv6),
      },
    };
    await applyStatus(this.rest, METALLB.ipAddressPools, obj, { fieldManager: FIELD_MANAGER });
  }

  async writeConfigState(namespace: string, report: ConfigurationStateReport): Promise<void> {
    const valid = report.errors.length === 0;
    if (this.lastValid !== valid) {
      this.lastValid = valid;
      this.transitionTime = this.now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
    }
    const metadata = {
      name: CONFIG_STATE_NAME,
      namespace,
      labels: { 'metallb.io/component-type': 'controller' },
    };
    await applyObject(this.rest, METALLB.configurationStates, { metadata }, { fieldManager: FIELD_MANAGER });
    const status = configurationStateStatus(report, this.transitionTime);
    await applyStatus(
      this.rest,
      METALLB.configurationStates,
      { metadata, status },
      { fieldManager: FIELD_MANAGER },
    );
  }
}
