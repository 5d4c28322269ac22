// Where a resource lives in the REST API: group, version and plural name it, as URLs do. Shared by api/
// (the metallb.io kinds) and kube/ (paths, built-in kinds), so it sits at the bottom.

export interface ResourceRef {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural as in the URL, e.g. "ipaddresspools". */
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}
