package main

// FRR's state to metric samples, with upstream frr-metrics' names and labels (MetalLB
// frr-tools/metrics/collector/bgp.go and bfd.go): every series is labelled peer and vrf. Pure: vtysh's JSON
// text in, samples out; FRR 8.x layouts (speaker/frr/testdata holds real FRR 8.4 output).

import (
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strconv"
)

// The vtysh commands the collector reads. `vrf all` answers for every VRF at once, keyed by VRF name, so
// one call replaces upstream's `show bgp vrf all json` followed by one call per VRF.
const (
	neighborsCommand   = "show bgp vrf all neighbors json"
	bfdPeersCommand    = "show bfd peers json"
	bfdCountersCommand = "show bfd peers counters json"
)

// bgpPort labels a neighbor bgpd has no connection to: bgpd reports portForeign -1 then.
const bgpPort = 179

const defaultVRF = "default"

type metricType string

const (
	gauge   metricType = "gauge"
	counter metricType = "counter"
)

// family is one metric name with its help text and type, as the exposition format's HELP and TYPE lines.
type family struct {
	name string
	help string
	kind metricType
}

// sample is one series: its family, the peer and vrf labels, the value.
type sample struct {
	family *family
	peer   string
	vrf    string
	value  float64
}

var (
	bgpSessionUp          = &family{"metallb_bgp_session_up", "BGP session state (1 is up, 0 is down)", gauge}
	bgpAnnouncedPrefixes  = &family{"metallb_bgp_announced_prefixes_total", "Number of prefixes currently being advertised on the BGP session", gauge}
	bgpOpensSent          = &family{"metallb_bgp_opens_sent", "Number of BGP open messages sent", counter}
	bgpOpensReceived      = &family{"metallb_bgp_opens_received", "Number of BGP open messages received", counter}
	bgpNotificationsSent  = &family{"metallb_bgp_notifications_sent", "Number of BGP notification messages sent", counter}
	bgpUpdatesSent        = &family{"metallb_bgp_updates_total", "Number of BGP UPDATE messages sent", counter}
	bgpUpdatesReceived    = &family{"metallb_bgp_updates_total_received", "Number of BGP UPDATE messages received", counter}
	bgpKeepalivesSent     = &family{"metallb_bgp_keepalives_sent", "Number of BGP keepalive messages sent", counter}
	bgpKeepalivesReceived = &family{"metallb_bgp_keepalives_received", "Number of BGP keepalive messages received", counter}
	bgpRouteRefreshSent   = &family{"metallb_bgp_route_refresh_sent", "Number of BGP route refresh messages sent", counter}
	bgpTotalSent          = &family{"metallb_bgp_total_sent", "Number of total BGP messages sent", counter}
	bgpTotalReceived      = &family{"metallb_bgp_total_received", "Number of total BGP messages received", counter}

	bfdSessionUp           = &family{"metallb_bfd_session_up", "BFD session state (1 is up, 0 is down)", gauge}
	bfdControlPacketInput  = &family{"metallb_bfd_control_packet_input", "Number of received BFD control packets", counter}
	bfdControlPacketOutput = &family{"metallb_bfd_control_packet_output", "Number of sent BFD control packets", counter}
	bfdEchoPacketInput     = &family{"metallb_bfd_echo_packet_input", "Number of received BFD echo packets", counter}
	bfdEchoPacketOutput    = &family{"metallb_bfd_echo_packet_output", "Number of sent BFD echo packets", counter}
	bfdSessionUpEvents     = &family{"metallb_bfd_session_up_events", "Number of BFD session up events", counter}
	bfdSessionDownEvents   = &family{"metallb_bfd_session_down_events", "Number of BFD session down events", counter}
	bfdZebraNotifications  = &family{"metallb_bfd_zebra_notifications", "Number of BFD zebra notifications", counter}
)

// value is one family's value for a peer, before the labels are attached.
type value struct {
	family *family
	v      float64
}

func appendSeries(out []sample, peer, vrf string, values []value) []sample {
	for _, v := range values {
		out = append(out, sample{v.family, peer, vrf, v.v})
	}
	return out
}

// ParseError names the vtysh command whose output could not be read.
type ParseError struct {
	Command string
	Reason  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("cannot read `%s` output: %s", e.Command, e.Reason)
}

type bgpNeighbor struct {
	BgpState     string `json:"bgpState"`
	PortForeign  int    `json:"portForeign"`
	MessageStats struct {
		OpensSent         float64 `json:"opensSent"`
		OpensRecv         float64 `json:"opensRecv"`
		NotificationsSent float64 `json:"notificationsSent"`
		UpdatesSent       float64 `json:"updatesSent"`
		UpdatesRecv       float64 `json:"updatesRecv"`
		KeepalivesSent    float64 `json:"keepalivesSent"`
		KeepalivesRecv    float64 `json:"keepalivesRecv"`
		RouteRefreshSent  float64 `json:"routeRefreshSent"`
		TotalSent         float64 `json:"totalSent"`
		TotalRecv         float64 `json:"totalRecv"`
	} `json:"messageStats"`
	AddressFamilyInfo map[string]struct {
		SentPrefixCounter float64 `json:"sentPrefixCounter"`
	} `json:"addressFamilyInfo"`
}

// peerLabel is upstream's `%s:%d` of the neighbor's address and foreign port (no brackets around IPv6).
// bgpd here does not listen (the speaker's FRR runs bgpd -p 0), so a connected session's foreign port is the
// peer's; a neighbor without a connection (portForeign -1) is labelled with BGP's port, so its series keeps
// the name it has when up. An unnumbered neighbor is keyed by its interface and labelled by it.
func peerLabel(key string, port int) string {
	if net.ParseIP(key) == nil {
		return key
	}
	if port <= 0 {
		port = bgpPort
	}
	return key + ":" + strconv.Itoa(port)
}

// bgpSamples reads `show bgp vrf all neighbors json`: {<vrf>: {vrfId, vrfName, <neighbor>: {...}}}.
func bgpSamples(text []byte) ([]sample, error) {
	var vrfs map[string]map[string]json.RawMessage
	if err := json.Unmarshal(text, &vrfs); err != nil {
		return nil, &ParseError{neighborsCommand, err.Error()}
	}
	var out []sample
	for vrf, body := range vrfs {
		for key, raw := range body {
			// vrfId and vrfName sit beside the neighbors; only objects are neighbors.
			if len(raw) == 0 || raw[0] != '{' {
				continue
			}
			var n bgpNeighbor
			if err := json.Unmarshal(raw, &n); err != nil {
				return nil, &ParseError{neighborsCommand, fmt.Sprintf("vrf %s neighbor %s: %v", vrf, key, err)}
			}
			up := 0.0
			if n.BgpState == "Established" {
				up = 1
			}
			prefixes := 0.0
			for _, af := range n.AddressFamilyInfo {
				prefixes += af.SentPrefixCounter
			}
			peer := peerLabel(key, n.PortForeign)
			m := n.MessageStats
			out = appendSeries(out, peer, vrf, []value{
				{bgpSessionUp, up},
				{bgpAnnouncedPrefixes, prefixes},
				{bgpOpensSent, m.OpensSent},
				{bgpOpensReceived, m.OpensRecv},
				{bgpNotificationsSent, m.NotificationsSent},
				{bgpUpdatesSent, m.UpdatesSent},
				{bgpUpdatesReceived, m.UpdatesRecv},
				{bgpKeepalivesSent, m.KeepalivesSent},
				{bgpKeepalivesReceived, m.KeepalivesRecv},
				{bgpRouteRefreshSent, m.RouteRefreshSent},
				{bgpTotalSent, m.TotalSent},
				{bgpTotalReceived, m.TotalRecv},
			})
		}
	}
	return out, nil
}

type bfdPeer struct {
	Peer   string `json:"peer"`
	Vrf    string `json:"vrf"`
	Status string `json:"status"`
}

type bfdPeerCounters struct {
	Peer                string  `json:"peer"`
	Vrf                 string  `json:"vrf"`
	ControlPacketInput  float64 `json:"control-packet-input"`
	ControlPacketOutput float64 `json:"control-packet-output"`
	EchoPacketInput     float64 `json:"echo-packet-input"`
	EchoPacketOutput    float64 `json:"echo-packet-output"`
	SessionUp           float64 `json:"session-up"`
	SessionDown         float64 `json:"session-down"`
	ZebraNotifications  float64 `json:"zebra-notifications"`
}

func vrfOrDefault(vrf string) string {
	if vrf == "" {
		return defaultVRF
	}
	return vrf
}

// bfdSessionSamples reads `show bfd peers json`: an array of sessions, each naming its VRF. A session is up
// only in RFC 5880 section 6.2's Up state; down, init and admin-down (`shutdown`) are 0.
func bfdSessionSamples(text []byte) ([]sample, error) {
	var peers []bfdPeer
	if err := json.Unmarshal(text, &peers); err != nil {
		return nil, &ParseError{bfdPeersCommand, err.Error()}
	}
	out := make([]sample, 0, len(peers))
	for _, p := range peers {
		up := 0.0
		if p.Status == "up" {
			up = 1
		}
		out = append(out, sample{bfdSessionUp, p.Peer, vrfOrDefault(p.Vrf), up})
	}
	return out, nil
}

// bfdCounterSamples reads `show bfd peers counters json`.
func bfdCounterSamples(text []byte) ([]sample, error) {
	var peers []bfdPeerCounters
	if err := json.Unmarshal(text, &peers); err != nil {
		return nil, &ParseError{bfdCountersCommand, err.Error()}
	}
	var out []sample
	for _, p := range peers {
		vrf := vrfOrDefault(p.Vrf)
		out = appendSeries(out, p.Peer, vrf, []value{
			{bfdControlPacketInput, p.ControlPacketInput},
			{bfdControlPacketOutput, p.ControlPacketOutput},
			{bfdEchoPacketInput, p.EchoPacketInput},
			{bfdEchoPacketOutput, p.EchoPacketOutput},
			{bfdSessionUpEvents, p.SessionUp},
			{bfdSessionDownEvents, p.SessionDown},
			{bfdZebraNotifications, p.ZebraNotifications},
		})
	}
	return out, nil
}

// sortSamples orders by family name, then vrf and peer, so a scrape's text is deterministic.
func sortSamples(samples []sample) {
	sort.SliceStable(samples, func(i, j int) bool {
		a, b := samples[i], samples[j]
		if a.family.name != b.family.name {
			return a.family.name < b.family.name
		}
		if a.vrf != b.vrf {
			return a.vrf < b.vrf
		}
		return a.peer < b.peer
	})
}
