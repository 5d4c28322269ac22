// Wrapper module to build etcd from upstream source at a pinned release. Kept apart from the k8s module on
// purpose: in one module, minimal version selection would mix etcd's and Kubernetes' dependency versions
// (grpc, otel, ...), producing binaries that neither project ever tested.
module ironlb.local/e2e/cluster/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v3.6.16
