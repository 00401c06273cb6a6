package main

// Ports, in one place: what each listens on, and what the network's flows
// (network.go) and the load balancer open.
const (
	httpsPort            = 443
	httpPort             = 80
	langfuseWebPort      = 3000
	langfuseWorkerPort   = 3030
	clickHouseHTTPPort   = 8123
	clickHouseNativePort = 9000
	databasePort         = 5432
	cachePort            = 6379
	nfsPort              = 2049
)
