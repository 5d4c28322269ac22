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
