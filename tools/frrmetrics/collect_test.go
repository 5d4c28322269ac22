package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Real FRR 8.4 output, shared with the speaker's parser tests (speaker/frr/status.test.ts).
func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "speaker", "frr", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func find(samples []sample, name, peer string) (sample, bool) {
	for _, s := range samples {
		if s.family.name == name && s.peer == peer {
			return s, true
		}
	}
	return sample{}, false
}

func TestBGPSamplesFromEstablishedAndActiveNeighbors(t *testing.T) {
	samples, err := bgpSamples(golden(t, "neighbors-established.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, peer string
		want       float64
	}{
		{"metallb_bgp_session_up", "192.0.2.1:54854", 1},
		{"metallb_bgp_announced_prefixes_total", "192.0.2.1:54854", 1},
		{"metallb_bgp_updates_total", "192.0.2.1:54854", 2},
		{"metallb_bgp_updates_total_received", "192.0.2.1:54854", 2},
		{"metallb_bgp_opens_sent", "192.0.2.1:54854", 1},
		{"metallb_bgp_total_sent", "192.0.2.1:54854", 4},
		// Active: no connection, portForeign -1, labelled with port 179.
		{"metallb_bgp_session_up", "192.0.2.250:179", 0},
		{"metallb_bgp_keepalives_sent", "192.0.2.250:179", 0},
		// IPv6 without brackets, as upstream's `%s:%d`.
		{"metallb_bgp_session_up", "2001:db8:1::1:45856", 1},
		{"metallb_bgp_total_received", "2001:db8:1::1:45856", 3},
	} {
		s, ok := find(samples, c.name, c.peer)
		if !ok {
			t.Errorf("%s{peer=%q} missing", c.name, c.peer)
			continue
		}
		if s.value != c.want || s.vrf != "default" {
			t.Errorf("%s{peer=%q}: got %v vrf %q, want %v vrf default", c.name, c.peer, s.value, s.vrf, c.want)
		}
	}
	// 12 families for each of the 3 neighbors; vrfId and vrfName are not neighbors.
	if len(samples) != 36 {
		t.Errorf("got %d samples, want 36", len(samples))
	}
}

func TestBGPSamplesKeepTheVRFOfEachNeighbor(t *testing.T) {
	text := `{"default":{"vrfId":0,"vrfName":"default"},
	  "red":{"vrfId":5,"vrfName":"red","192.0.2.9":{"bgpState":"Idle","portForeign":-1}},
	  "blue":{"vrfId":6,"vrfName":"blue","eth1":{"bgpState":"Established","portForeign":179}}}`
	samples, err := bgpSamples([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := find(samples, "metallb_bgp_session_up", "192.0.2.9:179"); !ok || s.vrf != "red" || s.value != 0 {
		t.Errorf("red neighbor: %+v %v", s, ok)
	}
	// An unnumbered neighbor is keyed by its interface, which is its label.
	if s, ok := find(samples, "metallb_bgp_session_up", "eth1"); !ok || s.vrf != "blue" || s.value != 1 {
		t.Errorf("unnumbered neighbor: %+v %v", s, ok)
	}
}

func TestBGPSamplesRefuseTextThatIsNotVtyshJSON(t *testing.T) {
	for _, text := range []string{"% Unknown command", `["a"]`, `{"default":{"192.0.2.1":{"bgpState":3}}}`} {
		_, err := bgpSamples([]byte(text))
		if err == nil || !strings.Contains(err.Error(), neighborsCommand) {
			t.Errorf("%q: got %v, want a ParseError naming the command", text, err)
		}
	}
}

func TestBFDSessionSamplesUpAndDown(t *testing.T) {
	for _, c := range []struct {
		file string
		want float64
	}{{"bfd-peers-up.json", 1}, {"bfd-peers-down.json", 0}} {
		samples, err := bfdSessionSamples(golden(t, c.file))
		if err != nil {
			t.Fatal(err)
		}
		s, ok := find(samples, "metallb_bfd_session_up", "192.0.2.1")
		if !ok || s.value != c.want || s.vrf != "default" {
			t.Errorf("%s: got %+v %v, want %v in vrf default", c.file, s, ok, c.want)
		}
	}
}

func TestBFDCounterSamples(t *testing.T) {
	text := `[{"multihop":false,"peer":"192.0.2.1","local":"192.0.2.11","vrf":"red","interface":"eth0",
	  "control-packet-input":12,"control-packet-output":13,"echo-packet-input":0,"echo-packet-output":0,
	  "session-up":1,"session-down":0,"zebra-notifications":3}]`
	samples, err := bfdCounterSamples([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 7 {
		t.Fatalf("got %d samples, want 7", len(samples))
	}
	for name, want := range map[string]float64{
		"metallb_bfd_control_packet_input":  12,
		"metallb_bfd_control_packet_output": 13,
		"metallb_bfd_session_up_events":     1,
		"metallb_bfd_zebra_notifications":   3,
	} {
		if s, ok := find(samples, name, "192.0.2.1"); !ok || s.value != want || s.vrf != "red" {
			t.Errorf("%s: got %+v %v, want %v in vrf red", name, s, ok, want)
		}
	}
}

func TestExpositionGroupsFamiliesWithHelpAndTypeAndEscapesLabels(t *testing.T) {
	samples := []sample{
		{bgpUpdatesSent, "192.0.2.1:179", "default", 7},
		{bgpSessionUp, "192.0.2.2:179", "default", 0},
		{bgpSessionUp, `we"ird\`, "default", 1},
		{bgpSessionUp, "192.0.2.1:179", "default", 1},
	}
	sortSamples(samples)
	var b strings.Builder
	writeExposition(&b, samples)
	want := `# HELP metallb_bgp_session_up BGP session state (1 is up, 0 is down)
# TYPE metallb_bgp_session_up gauge
metallb_bgp_session_up{peer="192.0.2.1:179",vrf="default"} 1
metallb_bgp_session_up{peer="192.0.2.2:179",vrf="default"} 0
metallb_bgp_session_up{peer="we\"ird\\",vrf="default"} 1
# HELP metallb_bgp_updates_total Number of BGP UPDATE messages sent
# TYPE metallb_bgp_updates_total counter
metallb_bgp_updates_total{peer="192.0.2.1:179",vrf="default"} 7
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
