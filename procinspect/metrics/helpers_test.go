package metrics

import (
	"io"
	"slices"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// gather collects c through a pedantic registry, by metric name.
func gather(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// gauge is the value of a single-series gauge; it fails the test when the
// metric is not there.
func gauge(t *testing.T, mfs map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	mf := mfs[name]
	if mf == nil || len(mf.Metric) != 1 {
		t.Fatalf("%s: want one series, have %v", name, mf)
	}
	return mf.Metric[0].GetGauge().GetValue()
}

// writeExposition writes the named metrics of c in the text format.
func writeExposition(t *testing.T, w io.Writer, c prometheus.Collector, names []string) {
	t.Helper()
	mfs := gather(t, c)
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	keys := make([]string, 0, len(mfs))
	for k := range mfs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if slices.Contains(names, k) {
			if err := enc.Encode(mfs[k]); err != nil {
				t.Fatal(err)
			}
		}
	}
}
