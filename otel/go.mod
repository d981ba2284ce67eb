module github.com/applivery/applivery-go/otel

// 1.23.0 rather than the SDK's 1.23: the OpenTelemetry modules ask for
// 1.23.0, and go mod tidy raises a 1.23 to it. The same floor.
go 1.23.0

// OpenTelemetry stays at v1.38.0, the last release whose go.mod accepts
// Go 1.23: v1.39.0 asks for 1.24. otelhttp, for the example, is v0.63.0, the
// contrib release made with it. Move them with the SDK's Go floor, and check
// the go line of every module they bring (go list -m -f '{{.GoVersion}}' all).

require (
	github.com/applivery/applivery-go v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.63.0
	go.opentelemetry.io/otel v1.38.0
	go.opentelemetry.io/otel/metric v1.38.0
	go.opentelemetry.io/otel/sdk v1.38.0
	go.opentelemetry.io/otel/sdk/metric v1.38.0
	go.opentelemetry.io/otel/trace v1.38.0
)

require (
	github.com/felixge/httpsnoop v1.0.4 // indirect
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	go.opentelemetry.io/auto/sdk v1.1.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.35.0 // indirect
	golang.org/x/time v0.10.0 // indirect
)

// The SDK beside this module, for development in this repository: see
// README.md. It goes when the modules are published with tags.
replace github.com/applivery/applivery-go => ../
