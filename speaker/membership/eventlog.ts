// Membership events as log lines an on-call engineer can follow: who died (and who noticed, after how much
// silence), who came back, this speaker's own state, and stalls. Refused packets are counted in the metrics
// (metallb_speaker_membership_rejected...), never logged one by one: a wrong key on one node would flood.
import type { Logger } from '../../kube/log';
import type { MembershipEvent } from './protocol';

export function membershipLogger(logger: Logger): (event: MembershipEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'memberDead':
        logger.warn('speaker declared dead', {
          member: e.name,
          declaredBy: e.declaredByMe ? 'this speaker' : 'a peer',
          ...(e.silenceMs !== undefined ? { silenceMs: Math.round(e.silenceMs) } : {}),
        });
        return;
      case 'memberAlive':
        logger.info('speaker alive', { member: e.name });
        return;
      case 'memberLeaving':
        logger.info('speaker leaving (planned)', { member: e.name });
        return;
      case 'memberRemoved':
        logger.info('speaker removed (its Pod is gone)', { member: e.name });
        return;
      case 'selfState':
        if (e.state === 'isolated') logger.warn('membership state of this speaker', { state: e.state });
        else logger.info('membership state of this speaker', { state: e.state });
        return;
      case 'stalled':
        logger.warn('this speaker did not run for longer than the fence time: rejoining before answering', {
          stalledMs: Math.round(e.ms),
        });
        return;
      case 'rejected':
        return;
    }
  };
}

/** Errors repeated while the bind keeps failing are logged this often, not at every retry. */
const BIND_ERROR_REPEAT_MS = 60_000;

/**
 * Bind failures of the membership socket (MembershipOptions.onBindError): the first one as a warning that
 * says what it means for Layer 2, the same error again at most once a minute, and the recovery. `changed`
 * runs on the first failure and on recovery, so the ConfigurationState follows.
 */
export function bindErrorLogger(
  logger: Logger,
  address: string,
  port: number,
  changed: () => void,
  now: () => number = Date.now,
): (error: Error | undefined, retryInMs: number) => void {
  let failing = false;
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let lastMessage = '';
  return (error, retryInMs) => {
    if (error === undefined) {
      if (failing) logger.info('membership socket bound after failures', { address, port });
      failing = false;
      changed();
      return;
    }
    const first = !failing;
    failing = true;
    if (first || error.message !== lastMessage || now() - lastLoggedAt >= BIND_ERROR_REPEAT_MS) {
      logger.warn('cannot bind the membership socket: retrying; Layer 2 answers nothing until it binds', {
        address,
        port,
        error: error.message,
        retryInMs,
      });
      lastLoggedAt = now();
      lastMessage = error.message;
    }
    if (first) changed();
  };
}

/** The ConfigurationState line for a membership socket that cannot bind; undefined when bound. */
export function bindProblem(list: { bindFailure(): Error | undefined } | undefined): string | undefined {
  const err = list?.bindFailure();
  return err === undefined ? undefined : `membership socket cannot bind: ${err.message}`;
}
