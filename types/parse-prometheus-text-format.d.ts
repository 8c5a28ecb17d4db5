// The test-only parser of the Prometheus text exposition format (the package ships no types).
declare module 'parse-prometheus-text-format' {
  interface Sample {
    value: string
    labels?: Record<string, string>
  }
  interface MetricFamily {
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: Sample[]
  }
  function parsePrometheusTextFormat(text: string): MetricFamily[]
  export = parsePrometheusTextFormat
}
