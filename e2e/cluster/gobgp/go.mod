// Wrapper module to build gobgpd and the gobgp CLI from upstream source at a pinned release (not packaged by
// Debian bookworm). Separate module for the same reason as etcd: keep upstream's tested dependency set.
module ironlb.local/e2e/cluster/gobgp

go 1.23.0

require github.com/osrg/gobgp/v3 v3.37.0
