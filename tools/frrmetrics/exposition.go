package main

// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): one HELP and one TYPE
// line per family, then its samples, label values escaped.

import (
	"strconv"
	"strings"
)

const expositionContentType = "text/plain; version=0.0.4; charset=utf-8"

var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func formatValue(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// writeExposition renders samples (sorted by sortSamples) as the text format.
func writeExposition(b *strings.Builder, samples []sample) {
	var last *family
	for _, s := range samples {
		if s.family != last {
			last = s.family
			b.WriteString("# HELP " + s.family.name + " " + helpEscaper.Replace(s.family.help) + "\n")
			b.WriteString("# TYPE " + s.family.name + " " + string(s.family.kind) + "\n")
		}
		b.WriteString(s.family.name)
		b.WriteString(`{peer="` + labelEscaper.Replace(s.peer) + `",vrf="` + labelEscaper.Replace(s.vrf) + `"} `)
		b.WriteString(formatValue(s.value))
		b.WriteByte('\n')
	}
}
