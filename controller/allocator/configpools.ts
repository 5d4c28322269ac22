// The allocator takes its own narrow view of a pool; this is the one place that maps the config onto it.
import { AllocatorPool } from './types';
import { selectorMatches } from '../../config/selector';
import { Labels, Pool } from '../../config/types';

export function toAllocatorPool(pool: Pool): AllocatorPool {
  const base = {
    name: pool.name,
    cidrs: pool.cidrs,
    autoAssign: pool.autoAssign,
    avoidBuggyIPs: pool.avoidBuggyIPs,
  };
  const allocation = pool.serviceAllocation;
  if (!allocation) return base;
  return {
    ...base,
    serviceAllocation: {
      priority: allocation.priority,
      ...(allocation.namespaces ? { namespaces: allocation.namespaces } : {}),
      serviceSelectors: allocation.serviceSelectors.map(
        (s) => (labels: Labels) => selectorMatches(s, labels),
      ),
    },
  };
}
