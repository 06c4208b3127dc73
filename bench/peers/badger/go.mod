// Not built in module mode: run.sh builds with GO111MODULE=off against Debian's GOPATH tree
// (/usr/share/gocode). This file only lets GOPATH mode resolve badger's "/v2" import paths
// (minimal module compatibility needs the importing code to sit under a go.mod).
module kvs/bench/peers/badger

go 1.19
