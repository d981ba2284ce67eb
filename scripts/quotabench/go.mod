module github.com/applivery/applivery-go/scripts/quotabench

go 1.23

replace (
	github.com/applivery/applivery-go => ../..
	github.com/applivery/applivery-go/redislimit => ../../redislimit
)

require (
	github.com/applivery/applivery-go v0.0.0-00010101000000-000000000000
	github.com/applivery/applivery-go/redislimit v0.0.0-00010101000000-000000000000
	github.com/redis/go-redis/v9 v9.18.0
	golang.org/x/time v0.10.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
	github.com/go-redis/redis_rate/v10 v10.0.1 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	go.uber.org/atomic v1.11.0 // indirect
)
